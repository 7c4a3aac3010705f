// Native tensor storage: Float32Arrays whose bytes live in simdnet::block_alloc blocks (zeroed, 64-byte aligned) rather
// than in V8's heap, so a Tensor's data is native memory the kernels read in place. V8 owns the ArrayBuffer object;
// its finalizer frees the block when the buffer is collected. releaseF32 (Tensor.dispose) detaches the buffer and
// frees the block itself, at once: Node 20 builds external ArrayBuffers on node::Buffer, whose finalizer only runs
// from a later setImmediate even after a detach, and dispose() should not wait for the event loop.
// liveBufferBytes() counts the bytes of blocks not yet freed, so tests can see that memory really goes back.
// A block can be pinned by an async engine job (job-input.h): while pinned, releaseF32 and the finalizer detach or
// drop the buffer as usual, but the bytes stay allocated until the last pin goes, so the job never reads freed memory.
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>

#include "addon/args.h"
#include "addon/job-input.h"
#include "addon/registry.h"
#include "runtime/memory.h"

namespace simdnet::addon {

// One per allocF32 block, owned by the ArrayBuffer's finalizer (which always runs, after a GC or after a detach) or,
// when the finalizer runs while the block is pinned, by the last unpin_block. `freed`: the bytes went back
// (releaseF32 or finalizer with no pin); `released`: JS gave the block up (releaseF32 or finalizer) while pinned, so
// the last unpin frees it; `finalized`: the finalizer has run, so the last unpin also deletes this record.
// Touched only on the JS thread (bindings, N-API finalizers and AsyncWorker completions all run there).
struct Block {
  void* ptr;
  size_t bytes;
  bool freed = false, released = false, finalized = false;
  int pins = 0;
};

namespace {

// Marks ArrayBuffers made by allocF32 (napi_type_tag_object, N-API 8): releaseF32 detaches only these, never a
// caller's own buffer. Random 128-bit value; only needs to differ from other addons' tags.
constexpr napi_type_tag kBufferTag = {0x5f3c2a9e81d04b17ULL, 0xb6e4071c93da28f5ULL};

// Bytes held by allocF32 blocks whose finalizer has not yet run. Finalizers run on the JS thread, but an atomic
// keeps the counter right if a future worker thread ever frees blocks too.
std::atomic<int64_t> g_live_bytes{0};

#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
// Live blocks by data pointer, so releaseF32 can find the Block of a buffer. Only live pointers are keys: a freed
// address that block_alloc hands out again gets a new Block, and the old finalizer only sees its own `freed` flag.
// Touched only on the JS thread (bindings and N-API finalizers both run there).
std::unordered_map<void*, Block*> g_blocks;

// The C call with its status ignored: also runs from finalizers and job completions during environment teardown,
// where the throwing Napi::MemoryManagement::AdjustExternalMemory would terminate the process.
void free_block(napi_env env, Block* b) {
  g_blocks.erase(b->ptr);
  block_free(b->ptr);
  b->freed = true;
  g_live_bytes.fetch_sub(static_cast<int64_t>(b->bytes), std::memory_order_relaxed);
  int64_t total = 0;
  napi_adjust_external_memory(env, -static_cast<int64_t>(b->bytes), &total);
}

// JS gave the block up (releaseF32 or the finalizer): free it now unless a job has it pinned.
void release_block(napi_env env, Block* b) {
  if (b->freed) return;
  if (b->pins > 0)
    b->released = true;
  else
    free_block(env, b);
}
#endif

bool has_tag(Napi::Env env, napi_value v) {
  bool tagged = false;
  const napi_status s = napi_check_object_type_tag(env, v, &kBufferTag, &tagged);
  return s == napi_ok && tagged;
}

void set_tag(Napi::Env env, napi_value v) {
  const napi_status s = napi_type_tag_object(env, v, &kBufferTag);
  NAPI_THROW_IF_FAILED_VOID(env, s);
}

// allocF32(n) -> Float32Array(n) over native, zeroed, 64-byte aligned memory. n = 0 gives an empty array.
Napi::Value AllocF32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = get_size(info, 0, "n");
  const size_t bytes = checked_mul(env, n, sizeof(float));
  if (n == 0) {
    // A zero-byte block would be a distinct non-null pointer for nothing; a plain empty buffer, tagged so releaseF32
    // accepts it like any other allocF32 result.
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, 0);
    set_tag(env, ab);
    return Napi::Float32Array::New(env, 0, ab, 0);
  }
#ifdef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
  // Runtimes that forbid external buffers (Electron's V8 sandbox): a V8-owned, zero-filled buffer instead. Not counted
  // in liveBufferBytes, since simdnet does not own it; releaseF32 still detaches it so V8 frees it at once.
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, bytes);
#else
  void* p = block_alloc(bytes);
  if (p == nullptr)
    throw_range_error(env, "SIMDNET_OUT_OF_MEMORY",
                      "Could not allocate " + std::to_string(bytes) + " bytes of native memory for " +
                          std::to_string(n) + " float32 elements");
  Block* b = new Block{p, bytes};
  Napi::ArrayBuffer ab;
  try {
    ab = Napi::ArrayBuffer::New(
        env, p, bytes,
        [](Napi::Env fenv, void*, Block* blk) {
          release_block(fenv, blk);
          blk->finalized = true;
          if (blk->pins == 0) delete blk;  // else the last unpin_block deletes it
        },
        b);
  } catch (...) {
    // The finalizer is not attached when creation fails, so the block is still ours to free.
    block_free(p);
    delete b;
    throw;
  }
  g_blocks.emplace(p, b);
  g_live_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  // Tells V8 how much memory the small ArrayBuffer object keeps alive, so dropped tensors trigger GCs.
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(bytes));
#endif
  set_tag(env, ab);
  return Napi::Float32Array::New(env, n, ab, 0);
}

// releaseF32(array) -> undefined. Detaches the ArrayBuffer of an allocF32 array so its memory is freed now; the array
// (and every view of that buffer) then has length 0. Releasing twice is a no-op. Anything else: TypeError.
Napi::Value ReleaseF32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected array to be a Float32Array made by allocF32");
  Napi::Float32Array arr = info[0].As<Napi::Float32Array>();
  Napi::ArrayBuffer ab = arr.ArrayBuffer();
  if (!has_tag(env, ab))
    throw_type_error(env, "SIMDNET_INVALID_ARGUMENT",
                     "Expected array to be a Float32Array made by allocF32 (releaseF32 never detaches other buffers)");
  bool detached = false;
  NAPI_THROW_IF_FAILED(env, napi_is_detached_arraybuffer(env, ab, &detached), Napi::Value());
  if (detached) return env.Undefined();
  void* p = ab.Data();
  // Detach first: no JS view can reach the block once it is freed (all views of the buffer read as length 0).
  NAPI_THROW_IF_FAILED(env, napi_detach_arraybuffer(env, ab), Napi::Value());
#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
  const auto it = g_blocks.find(p);
  if (it != g_blocks.end()) release_block(env, it->second);
#else
  (void)p;
#endif
  return env.Undefined();
}

// liveBufferBytes() -> bytes of allocF32 memory not yet freed.
Napi::Value LiveBufferBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(g_live_bytes.load(std::memory_order_relaxed)));
}

// isNativeBlock(typedArray) -> whether an async engine job would pin this array's memory rather than copy it: a
// live allocF32 block (lib/engine/snapshot.ts asks before deciding whether to snapshot an input).
Napi::Value IsNativeBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool yes = false;
#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
  if (info.Length() > 0 && info[0].IsTypedArray()) {
    Napi::ArrayBuffer ab = info[0].As<Napi::TypedArray>().ArrayBuffer();
    bool detached = false;
    if (has_tag(env, ab) && napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && !detached)
      yes = g_blocks.count(ab.Data()) > 0;
  }
#endif
  return Napi::Boolean::New(env, yes);
}

void RegisterBuffer(Napi::Env env, Napi::Object exports) {
  set_function<IsNativeBlock>(env, exports, "isNativeBlock");
  set_function<AllocF32>(env, exports, "allocF32");
  set_function<ReleaseF32>(env, exports, "releaseF32");
  set_function<LiveBufferBytes>(env, exports, "liveBufferBytes");
}

}  // namespace

Block* pin_block(napi_env env, napi_value arraybuffer) {
#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
  bool detached = false;
  void* data = nullptr;
  if (!has_tag(env, arraybuffer) || napi_is_detached_arraybuffer(env, arraybuffer, &detached) != napi_ok || detached ||
      napi_get_arraybuffer_info(env, arraybuffer, &data, nullptr) != napi_ok)
    return nullptr;
  const auto it = g_blocks.find(data);
  if (it == g_blocks.end()) return nullptr;
  ++it->second->pins;
  return it->second;
#else
  (void)env;
  (void)arraybuffer;
  return nullptr;
#endif
}

void unpin_block(napi_env env, Block* b) {
#ifndef NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED
  if (--b->pins > 0) return;
  if (b->released) release_block(env, b);
  if (b->finalized) delete b;
#else
  (void)env;
  (void)b;
#endif
}

JobInput::JobInput(Napi::Env env, Napi::Value typed_array, const void* data, size_t bytes, Mode mode) : env_(env) {
  if (mode == kPin) pin_ = pin_block(env, typed_array.As<Napi::TypedArray>().ArrayBuffer());
  if (pin_) {
    data_ = data;
    return;
  }
  copy_ = block_alloc(bytes == 0 ? 1 : bytes);
  if (copy_ == nullptr)
    throw_range_error(env, "SIMDNET_OUT_OF_MEMORY",
                      "Could not allocate " + std::to_string(bytes) + " bytes to copy an input for an async call");
  if (bytes) std::memcpy(copy_, data, bytes);
  data_ = copy_;
}

void JobInput::reset() noexcept {
  if (pin_) unpin_block(env_, pin_);
  block_free(copy_);
  pin_ = nullptr;
  copy_ = nullptr;
  data_ = nullptr;
}

JobInput::~JobInput() { reset(); }

JobInput::JobInput(JobInput&& o) noexcept : env_(o.env_), pin_(o.pin_), copy_(o.copy_), data_(o.data_) {
  o.pin_ = nullptr;
  o.copy_ = nullptr;
  o.data_ = nullptr;
}

JobInput& JobInput::operator=(JobInput&& o) noexcept {
  if (this != &o) {
    reset();
    env_ = o.env_;
    pin_ = o.pin_;
    copy_ = o.copy_;
    data_ = o.data_;
    o.pin_ = nullptr;
    o.copy_ = nullptr;
    o.data_ = nullptr;
  }
  return *this;
}

}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterBuffer)
