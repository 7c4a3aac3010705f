// Bindings for the reductions (kernels/reduce/reduce.h):
//   colSum(m, n, x, ldx, accumulate, out)   rowArgmax(m, n, x, ldx, out /* Int32Array */)
//   sum(n, x)   sumSquares(n, x)   mean(n, x)  (numbers; mean of 0 elements is NaN)
//   firstNonFinite(n, x, copy /* Float32Array or null */) -> index of the first Inf/NaN in x[0..n), or -1; a copy
//     array receives all of x[0..n) too (its pages mapped in one call first: runtime/memory.h prefault_write)
#include <napi.h>

#include <cmath>
#include <limits>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/reduce/reduce.h"
#include "runtime/memory.h"

namespace simdnet::addon {
namespace {

Napi::Value ColSum(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m"), n = get_size(info, 1, "n");
  const size_t ldx = get_size(info, 3, "ldx");
  const bool accumulate = get_bool(info, 4, "accumulate");
  const float* x = get_f32(info, 2, "x", matrix_extent(info.Env(), m, n, ldx));
  float* out = get_f32(info, 5, "out", n);
  reduce().col_sum(m, n, x, ldx, accumulate, out);
  return info[5];
}

Napi::Value RowArgmax(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m"), n = get_size(info, 1, "n");
  const size_t ldx = get_size(info, 3, "ldx");
  if (n > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "n does not fit an int32 index");
  const float* x = get_f32(info, 2, "x", matrix_extent(info.Env(), m, n, ldx));
  int32_t* out = get_i32(info, 4, "out", m);
  reduce().row_argmax(m, n, x, ldx, out);
  return info[4];
}

Napi::Value Sum(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  return Napi::Number::New(info.Env(), reduce().sum(n, get_f32(info, 1, "x", n)));
}
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  return Napi::Number::New(info.Env(), reduce().sum_squares(n, get_f32(info, 1, "x", n)));
}
Napi::Value Mean(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float* x = get_f32(info, 1, "x", n);
  return Napi::Number::New(info.Env(), n ? reduce().sum(n, x) / static_cast<double>(n) : NAN);
}

Napi::Value FirstNonFinite(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float* x = get_f32(info, 1, "x", n);
  float* copy = get_f32_opt(info, 2, "copy", n);
  if (copy && n > 0 && copy < x + n && x < copy + n)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "copy must not overlap x");
  if (copy && n >= (size_t(16) << 10)) prefault_write(copy, n * sizeof(float));
  const size_t i = reduce().first_nonfinite(n, x, copy);
  return Napi::Number::New(info.Env(), i == n ? -1.0 : static_cast<double>(i));
}

void RegisterReduce(Napi::Env env, Napi::Object exports) {
  set_function<ColSum>(env, exports, "colSum");
  set_function<RowArgmax>(env, exports, "rowArgmax");
  set_function<Sum>(env, exports, "sum");
  set_function<SumSquares>(env, exports, "sumSquares");
  set_function<Mean>(env, exports, "mean");
  set_function<FirstNonFinite>(env, exports, "firstNonFinite");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterReduce)
