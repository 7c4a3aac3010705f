// The native training engine: a plan compiled from a layer list into parameters, gradients, optimizer state and
// per-batch activation buffers, and the whole training step (forward, loss, backward, penalties, clipping, optimizer
// update, metrics, diagnostics) over the dispatched kernels. Semantics: docs/engine.md (shared with the JS engine).
//
// Memory: two 64-byte-aligned blocks. The fixed block (weights, gradients, optimizer state, batch-norm saved
// statistics) is allocated once at compile; the batch block (activations, input gradients, dropout masks, gathered
// batch rows, loss scratch) is sized for the largest batch seen and reallocated only when a larger batch arrives.
// Nothing else allocates per step.
//
// Threading: an Engine is used by one thread at a time (the binding's busy flag guarantees it); the GEMMs inside use
// the runtime pool. Nothing here touches N-API, throws, or aborts on caller input.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/plan.h"
#include "kernels/loss/loss.h"
#include "kernels/vunary/vunary.h"

namespace simdnet::engine {

struct ParamInfo {
  std::string name;
  size_t layer = 0;
  std::vector<size_t> shape;
  size_t size = 0;
  bool trainable = true;
};

// Sums of loss and metrics: value(i) = sums[i] / samples; index 0 = loss, then plan.metrics order. With sample
// weights the loss is still a batch-size-weighted mean of the (weighted) batch losses (Keras's loss tracker), and the
// metrics stay unweighted: Keras 3 passes sample_weight only to weighted_metrics, not to compile(metrics=...).
struct LogSums {
  double samples = 0;
  double sums[4] = {0, 0, 0, 0};
  void clear() { *this = LogSums{}; }
  double value(size_t i) const { return sums[i] / samples; }
};

struct LayerDiag {
  size_t layer = 0;
  double grad_norm = 0, weight_norm = 0, update_ratio = 0, dead_fraction = 0, activation_mean = 0, activation_std = 0;
};

struct TrainBatchesArgs {
  const float* x = nullptr;  // n x input_size
  const float* y = nullptr;  // n x output_size (sparse CE: n labels)
  size_t n = 0;
  const uint32_t* order = nullptr;  // n indices < n
  size_t batch_size = 0, first_batch = 0, batch_count = 0;
  const float* lr_per_step = nullptr;  // batch_count rates or nullptr
  const float* w = nullptr;            // n per-sample weights (gathered by order like x and y) or nullptr
  bool diagnostics = false;
  const std::atomic<bool>* cancel = nullptr;  // checked before every step
  // Called on the training thread after every completed step (the addon publishes a weight snapshot for readers
  // there: addon/engine-serving.h).
  void (*after_step)(void* ctx, class Engine& e) = nullptr;
  void* after_step_ctx = nullptr;
};

class Engine {
 public:
  // Validates and compiles; returns nullptr with *status set on a bad plan or failed allocation.
  static std::unique_ptr<Engine> create(const PlanSpec& plan, Status* status);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const PlanSpec& plan() const { return plan_; }
  size_t input_size() const { return plan_.input_size; }
  size_t output_size() const { return out_size_; }
  // Columns of y per sample: output_size, or 1 for sparse labels.
  size_t target_size() const { return plan_.loss == LossKind::sparse_cce ? 1 : out_size_; }

  size_t param_count() const { return params_.size(); }
  const ParamInfo& param_info(size_t i) const { return params_[i].info; }
  float* param(size_t i) { return params_[i].w; }
  const float* grad(size_t i) const { return params_[i].g; }  // nullptr for non-trainable

  void reset_optimizer();
  // The optimizer's state arrays, for save/load, in a fixed order shared with the JS engine (docs/engine.md): for
  // each trainable parameter in parameter order, its optimizer's arrays -- momentum: buf; adagrad: sum of squares;
  // rmsprop: square average, then gradient average if centered, then buf if momentum > 0; adam/adamw: m, v, then
  // vmax if amsgrad; sgd: none. optimizer_state(i) points at array i, of param_info(optimizer_state_param(i)).size
  // floats.
  size_t optimizer_state_count() const { return state_refs_.size(); }
  float* optimizer_state(size_t i) { return params_[state_refs_[i].param].state[state_refs_[i].slot]; }
  size_t optimizer_state_param(size_t i) const { return state_refs_[i].param; }
  size_t optimizer_state_slot(size_t i) const { return state_refs_[i].slot; }
  // Sets the step counter (Adam's t; the schedules' step), e.g. when restoring a saved optimizer state.
  void set_step(uint64_t t) { t_.store(t, std::memory_order_relaxed); }
  // Atomic: JS may read the rate while a trainBatches worker runs.
  double learning_rate() const { return lr_.load(std::memory_order_relaxed); }
  void set_learning_rate(double lr) { lr_.store(lr, std::memory_order_relaxed); }
  uint64_t step() const { return t_.load(std::memory_order_relaxed); }
  size_t memory_bytes() const {
    return fixed_bytes_ + batch_bytes_ + diag_bytes_ + infer_scratch_.capacity() * sizeof(float);
  }

  // Grows the batch buffers to hold `batch` rows (and the diagnostics scratch when asked). False when out of memory.
  bool prepare(size_t batch, bool diagnostics = false);
  // First invalid sparse label among n targets (not an integer in [0, output_size)), or -1. Always -1 otherwise.
  long long find_bad_label(const float* y, size_t n) const;

  // One step on rows [0, batch) of x/y (prepare(batch) first); adds that batch's loss/metrics to *logs.
  // w: per-sample weights of those rows (kernels/loss/loss.h: sum_r w_r l_r / batch), or nullptr.
  void train_step(const float* x, const float* y, size_t batch, LogSums* logs, const float* w = nullptr);
  // args.batch_count steps (fewer after cancel); returns the steps run. diags gets one entry per layer.
  size_t train_batches(const TrainBatchesArgs& args, LogSums* logs, std::vector<LayerDiag>* diags);
  // Data-parallel split step (docs/engine.md "Distributed training"; native/src/engine/split-step.cc).
  // Floats of all trainable parameters together, in parameter order: the flat gradient layout.
  size_t trainable_size() const;
  // Forward (training mode), loss and backward on rows [0, batch) (prepare(batch) first); writes batch times the
  // batch-mean data-loss gradient of every trainable parameter into out (trainable_size() floats) -- a gradient SUM
  // that ranks can add up -- and adds the batch's loss (+ penalties) and metrics to *logs. No update, no step.
  void grad_sums(const float* x, const float* y, size_t batch, float* out, LogSums* logs);
  // The rest of the step from summed gradients: g = sums / count, then penalty gradients -> clipValue -> clipNorm
  // -> t += 1 -> optimizer, exactly as train_step continues after backward.
  void apply_gradient_sums(const float* sums, double count, float lr);
  // Inference-mode loss (+ penalties) and metrics over n samples in batches.
  void evaluate(const float* x, const float* y, size_t n, size_t batch_size, LogSums* logs, const float* w = nullptr);
  // Inference-mode outputs, n x output_size. With two or more batches and pool threads, the batches are spread over
  // the threads, each running the whole forward pass on its own scratch (step.cc: why); bitwise the same outputs.
  // rows_ready (may be null): x arrives while predict runs (predictAsync copying its input; addon/input-feed.h).
  // rows_ready(need) blocks until at least `need` rows of x (or all n) can be read and returns how many can; fewer
  // than `need` ends the call (std::runtime_error). Batches run as they become readable, in order, each spread over
  // the pool as above; the waiting happens on this thread, never inside a pool task.
  void predict(const float* x, size_t n, size_t batch_size, float* out,
               const std::function<size_t(size_t)>* rows_ready = nullptr);

  // For tests: forward (training mode), loss and backward plus penalty gradients, no clipping, no update.
  // update_moving_stats = false leaves batch-norm running statistics alone. Returns data loss + penalties.
  double compute_gradients(const float* x, const float* y, size_t batch, bool update_moving_stats);
  // For tests: training-mode forward loss (+ penalties) with the same dropout masks and no side effects.
  double training_loss(const float* x, const float* y, size_t batch);
  // Output rows of the last forward pass (batch x output_size).
  const float* output() const;

 private:
  enum class Mode { train, train_frozen, infer };
  enum class LossOp { mse, bce_prob, bce_logits, cce_prob, softmax_cce, sparse_softmax_cce, sparse_cce_prob, elementwise };

  struct Param {
    ParamInfo info;
    float* w = nullptr;
    float* g = nullptr;
    float* state[3] = {nullptr, nullptr, nullptr};
    RegSpec reg;
    size_t diag_layer = SIZE_MAX;  // layer whose diagnostic weight this is
  };

  struct Layer {
    LayerSpec spec;
    int kernel = -1, bias = -1, gamma = -1, beta = -1, moving_mean = -1, moving_var = -1;
    Act act = Act::linear;   // element-wise activation (dense/activation) when not softmax
    bool softmax = false;
    bool needs_z = false;    // dense: keep the pre-activation (softmax, fused loss, leaky with alpha < 0)
    bool has_activation_output = false;
    float* save_mean = nullptr;
    float* save_inv_std = nullptr;
    float* w_before = nullptr;  // diagnostics: weights before the update
    // batch block
    float* y = nullptr;
    float* z = nullptr;
    float* dx = nullptr;
    uint8_t* mask = nullptr;
    const float* out = nullptr;  // output of the last forward (y, or the input for inference dropout)
    // dense: every kernel weight is finite, as checked once at the start of a predict call (false otherwise), so the
    // call's batches tell their GEMMs so (GemmArgs::b_known_finite) instead of each checking B again.
    bool kernel_finite = false;
  };

  explicit Engine(const PlanSpec& plan);
  Status compile();
  void init_params();

  void forward(const float* x, size_t b, Mode mode);
  // The dense layer's GEMM (+ bias, + the activation when fused) of b rows of `in` into c.
  // infer: an inference pass (predict, evaluate), which may skip the input's zeros (kernels/gemm/sparse-a.cc).
  void dense_gemm(const Layer& L, const float* in, size_t b, float* c, bool infer) const;
  // Its activation (softmax or element-wise) of b rows of `in` into `out`.
  void activate(const Layer& L, size_t b, const float* in, float* out) const;
  // Inference-mode forward of b rows into `scratch` (infer_floats(b) floats) instead of the layers' buffers, so
  // several threads can run it at once; returns the output rows.
  const float* forward_infer(const float* x, size_t b, float* scratch) const;
  // predict's batches [first, last) of the call (n rows in batches of batch_size).
  void predict_batches(const float* x, size_t n, size_t batch_size, float* out, size_t first, size_t last);
  size_t infer_floats(size_t b) const;
  double data_loss(const float* y, size_t b, bool want_grad);
  double penalties() const;
  void backward(const float* x, size_t b);
  void add_penalty_grads();
  void clip_gradients();
  void optimizer_update(float lr);
  void accumulate(const float* y, size_t b, double loss, LogSums* logs);
  void run_step(const float* x, const float* y, size_t b, float lr, LogSums* logs, bool diagnostics);
  void diag_before_update();
  void diag_after_update();
  void diag_finish(std::vector<LayerDiag>* diags) const;
  void fill_labels(const float* y, size_t b);

  PlanSpec plan_;
  std::vector<Layer> layers_;
  std::vector<Param> params_;
  struct StateRef {
    size_t param, slot;
  };
  std::vector<StateRef> state_refs_;  // optimizer_state order
  size_t out_size_ = 0;
  LossOp loss_op_ = LossOp::mse;
  bool fused_ = false;             // the loss takes the last layer's pre-activation (logits)
  std::vector<bool> grad_below_;   // layer i: some layer below it has trainable parameters
  float loss_temperature_ = 1.0f;
  ElemLoss elem_loss_ = ElemLoss::mae;  // LossOp::elementwise: which one, and its param (huber's delta, else eps)
  float elem_param_ = 0.0f;
  std::atomic<double> lr_{0.0};
  std::atomic<uint64_t> t_{0};

  struct FreeDeleter {
    void operator()(void* p) const noexcept;
  };
  std::unique_ptr<float, FreeDeleter> fixed_block_, batch_block_, diag_block_;
  size_t fixed_bytes_ = 0, batch_bytes_ = 0, diag_bytes_ = 0;
  size_t batch_capacity_ = 0;
  bool diag_ready_ = false;
  std::vector<float> infer_scratch_;  // predict's per-thread scratch (forward_infer), grown on demand

  // batch block scratch
  float* loss_grad_ = nullptr;  // batch x out: d loss / d (output or logits)
  float* onehot_ = nullptr;     // batch x out (sparse without fused softmax; also mse/mae metrics for sparse)
  int32_t* labels_ = nullptr;   // batch
  int32_t* argmax_pred_ = nullptr;
  int32_t* argmax_true_ = nullptr;
  float* xb_ = nullptr;         // gathered batch rows (trainBatches)
  float* yb_ = nullptr;
  float* wb_ = nullptr;               // gathered batch sample weights (trainBatches)
  const float* batch_w_ = nullptr;    // the current batch's sample weights (data_loss), or nullptr
  const float* last_logits_ = nullptr;
  size_t last_batch_ = 0;

  // diagnostics accumulators (per layer)
  std::vector<double> diag_grad_norm_, diag_update_ratio_;
  size_t diag_steps_ = 0;
};

}  // namespace simdnet::engine
