// Tensors: creation, data transfer, metadata, element-wise and reduction ops by opcode, views, indexing,
// concatenation, autograd and global state (grad mode, seeds, threads, CUDA presence).
// The opcode enums live in opcodes.h, checked against MusicML.Torch/Interop/Opcodes.cs at load (mm_opcode_table).
#include "common.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <cstring>
#include <limits>

namespace mm {
std::atomic<int64_t> live_tensors{0};
static thread_local std::string last_error;
void set_error(const char* message) { last_error = message == nullptr ? "" : message; }
}  // namespace mm

using mm::T;

MM_API const char* mm_last_error() { return mm::last_error.c_str(); }

// The shim's opcode tables ("Family:NAME,NAME,…;" with values 0, 1, … in order): TorchNative compares them with its
// enums once, when the library loads.
MM_API const char* mm_opcode_table() { return MM_OPCODE_TABLE; }

MM_API int64_t mm_live_tensors() { return mm::live_tensors.load(std::memory_order_relaxed); }

MM_API void mm_tensor_free(void* handle) {
  if (handle == nullptr) return;
  delete static_cast<at::Tensor*>(handle);
  mm::live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

// ---- creation and data transfer -------------------------------------------------------------------------------

MM_API void* mm_tensor_from_data(const void* data, int64_t byte_count, int32_t dtype, const int64_t* shape,
                                 int32_t ndim, int32_t device_type, int32_t device_index) {
  MM_TRY
  auto cpu = at::empty(mm::ints(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
  const auto expected = static_cast<int64_t>(cpu.nbytes());
  TORCH_CHECK(byte_count == expected, "tensor data holds ", byte_count, " bytes but shape ", cpu.sizes(),
              " of ", cpu.scalar_type(), " needs ", expected);
  if (expected > 0) std::memcpy(cpu.data_ptr(), data, static_cast<size_t>(expected));
  auto dev = mm::device(device_type, device_index);
  return mm::wrap(dev.is_cpu() ? std::move(cpu) : cpu.to(dev));
  MM_CATCH_PTR
}

MM_API int mm_tensor_copy_to(void* handle, int32_t dtype, void* destination, int64_t byte_count) {
  MM_TRY
  auto cpu = T(handle).detach().to(at::kCPU, static_cast<at::ScalarType>(dtype)).contiguous();
  const auto needed = static_cast<int64_t>(cpu.nbytes());
  TORCH_CHECK(byte_count == needed, "destination holds ", byte_count, " bytes but the tensor of shape ",
              cpu.sizes(), " as ", cpu.scalar_type(), " needs ", needed);
  if (needed > 0) std::memcpy(destination, cpu.data_ptr(), static_cast<size_t>(needed));
  return 0;
  MM_CATCH_INT
}

MM_API void* mm_tensor_factory(int32_t op, const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device_type,
                               int32_t device_index, double value) {
  MM_TRY
  auto options = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(mm::device(device_type, device_index));
  auto size = mm::ints(shape, ndim);
  switch (op) {
    case F_EMPTY: return mm::wrap(at::empty(size, options));
    case F_ZEROS: return mm::wrap(at::zeros(size, options));
    case F_ONES: return mm::wrap(at::ones(size, options));
    case F_FULL: {
      auto probe = at::empty({0}, options.device(at::kCPU));
      return mm::wrap(at::full(size, mm::scalar_for(probe, value), options));
    }
    case F_RAND: return mm::wrap(at::rand(size, options));
    case F_RANDN: return mm::wrap(at::randn(size, options));
  }
  TORCH_CHECK(false, "unknown factory opcode ", op);
  MM_CATCH_PTR
}

MM_API void* mm_tensor_arange(double start, double end, double step, int32_t dtype, int32_t device_type,
                              int32_t device_index) {
  MM_TRY
  auto options = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(mm::device(device_type, device_index));
  return mm::wrap(at::arange(start, end, step, options));
  MM_CATCH_PTR
}

// ---- metadata -------------------------------------------------------------------------------------------------

// One call answers everything the C# Tensor asks about itself, so properties cost a single transition.
MM_API int mm_tensor_info(void* handle, int32_t* dtype, int32_t* ndim, int32_t* device_type, int32_t* device_index,
                          int32_t* requires_grad) {
  MM_TRY
  const auto& t = T(handle);
  *dtype = static_cast<int32_t>(t.scalar_type());
  *ndim = static_cast<int32_t>(t.dim());
  *device_type = static_cast<int32_t>(t.device().type());
  *device_index = static_cast<int32_t>(t.device().index());
  *requires_grad = t.requires_grad() ? 1 : 0;
  return 0;
  MM_CATCH_INT
}

MM_API int32_t mm_tensor_ndim(void* handle) { return static_cast<int32_t>(T(handle).dim()); }
MM_API int64_t mm_tensor_numel(void* handle) { return T(handle).numel(); }
MM_API int32_t mm_tensor_dtype(void* handle) { return static_cast<int32_t>(T(handle).scalar_type()); }

MM_API int32_t mm_tensor_shape(void* handle, int64_t* shape, int32_t capacity) {
  const auto sizes = T(handle).sizes();
  const auto n = static_cast<int32_t>(sizes.size());
  for (int32_t i = 0; i < n && i < capacity; ++i) shape[i] = sizes[static_cast<size_t>(i)];
  return n;
}

MM_API int mm_tensor_item(void* handle, double* value) {
  MM_TRY
  *value = T(handle).item<double>();
  return 0;
  MM_CATCH_INT
}

// ---- element-wise operations by opcode -------------------------------------------------------------------------

MM_API void* mm_unary(int32_t op, void* a) {
  MM_TRY
  const auto& x = T(a);
  switch (op) {
    case U_NEG: return mm::wrap(at::neg(x));
    case U_ABS: return mm::wrap(at::abs(x));
    case U_EXP: return mm::wrap(at::exp(x));
    case U_LOG: return mm::wrap(at::log(x));
    case U_SQRT: return mm::wrap(at::sqrt(x));
    case U_RSQRT: return mm::wrap(at::rsqrt(x));
    case U_SIN: return mm::wrap(at::sin(x));
    case U_COS: return mm::wrap(at::cos(x));
    case U_TANH: return mm::wrap(at::tanh(x));
    case U_SIGMOID: return mm::wrap(at::sigmoid(x));
    case U_RELU: return mm::wrap(at::relu(x));
    case U_GELU: return mm::wrap(at::gelu(x));
    case U_SILU: return mm::wrap(at::silu(x));
    case U_LOG1P: return mm::wrap(at::log1p(x));
    case U_SQUARE: return mm::wrap(at::square(x));
    case U_SIGN: return mm::wrap(at::sign(x));
    case U_FLOOR: return mm::wrap(at::floor(x));
    case U_CEIL: return mm::wrap(at::ceil(x));
    case U_ROUND: return mm::wrap(at::round(x));
    case U_CLONE: return mm::wrap(x.clone());
    case U_CONTIGUOUS: return mm::wrap(x.contiguous());
    case U_DETACH: return mm::wrap(x.detach());
    case U_RECIPROCAL: return mm::wrap(at::reciprocal(x));
    case U_SOFTPLUS: return mm::wrap(at::softplus(x));
    case U_LOGICAL_NOT: return mm::wrap(at::logical_not(x));
    case U_ISNAN: return mm::wrap(at::isnan(x));
    case U_ERF: return mm::wrap(at::erf(x));
    case U_ISFINITE: return mm::wrap(at::isfinite(x));
    case U_LOG10: return mm::wrap(at::log10(x));
    case U_EXPM1: return mm::wrap(at::expm1(x));
  }
  TORCH_CHECK(false, "unknown unary opcode ", op);
  MM_CATCH_PTR
}

MM_API void* mm_binary(int32_t op, void* a, void* b) {
  MM_TRY
  const auto& x = T(a);
  const auto& y = T(b);
  switch (op) {
    case B_ADD: return mm::wrap(at::add(x, y));
    case B_SUB: return mm::wrap(at::sub(x, y));
    case B_MUL: return mm::wrap(at::mul(x, y));
    case B_DIV: return mm::wrap(at::div(x, y));
    case B_POW: return mm::wrap(at::pow(x, y));
    case B_MATMUL: return mm::wrap(at::matmul(x, y));
    case B_MAXIMUM: return mm::wrap(at::maximum(x, y));
    case B_MINIMUM: return mm::wrap(at::minimum(x, y));
    case B_EQ: return mm::wrap(at::eq(x, y));
    case B_NE: return mm::wrap(at::ne(x, y));
    case B_LT: return mm::wrap(at::lt(x, y));
    case B_LE: return mm::wrap(at::le(x, y));
    case B_GT: return mm::wrap(at::gt(x, y));
    case B_GE: return mm::wrap(at::ge(x, y));
    case B_LOGICAL_AND: return mm::wrap(at::logical_and(x, y));
    case B_LOGICAL_OR: return mm::wrap(at::logical_or(x, y));
    case B_REMAINDER: return mm::wrap(at::remainder(x, y));
    case B_ATAN2: return mm::wrap(at::atan2(x, y));
  }
  TORCH_CHECK(false, "unknown binary opcode ", op);
  MM_CATCH_PTR
}

MM_API void* mm_binary_scalar(int32_t op, void* a, double s) {
  MM_TRY
  const auto& x = T(a);
  const auto v = mm::scalar_for(x, s);
  switch (op) {
    case S_ADD: return mm::wrap(at::add(x, v));
    case S_SUB: return mm::wrap(at::sub(x, v));
    case S_MUL: return mm::wrap(at::mul(x, v));
    case S_DIV: return mm::wrap(at::div(x, v));
    case S_POW: return mm::wrap(at::pow(x, v));
    case S_RSUB: return mm::wrap(at::rsub(x, v));
    case S_EQ: return mm::wrap(at::eq(x, v));
    case S_NE: return mm::wrap(at::ne(x, v));
    case S_LT: return mm::wrap(at::lt(x, v));
    case S_LE: return mm::wrap(at::le(x, v));
    case S_GT: return mm::wrap(at::gt(x, v));
    case S_GE: return mm::wrap(at::ge(x, v));
    case S_LEAKY_RELU: return mm::wrap(at::leaky_relu(x, s));
    case S_ELU: return mm::wrap(at::elu(x, s));
    case S_CLAMP_MIN: return mm::wrap(at::clamp_min(x, v));
    case S_CLAMP_MAX: return mm::wrap(at::clamp_max(x, v));
    case S_REMAINDER: return mm::wrap(at::remainder(x, v));
    case S_RDIV: return mm::wrap(at::mul(at::reciprocal(x), v));
    case S_RPOW: return mm::wrap(at::pow(at::Scalar(s), x));
  }
  TORCH_CHECK(false, "unknown scalar opcode ", op);
  MM_CATCH_PTR
}

// In-place updates: parameter initialisation, state-dict loading and optimisers written in C#.

MM_API int mm_inplace(int32_t op, void* a, void* b, double s1, double s2) {
  MM_TRY
  auto& x = T(a);
  switch (op) {
    case I_COPY: x.copy_(T(b)); return 0;
    case I_ADD: x.add_(T(b), s1); return 0;
    case I_MUL: x.mul_(T(b)); return 0;
    case I_MUL_SCALAR: x.mul_(mm::scalar_for(x, s1)); return 0;
    case I_ADD_SCALAR: x.add_(mm::scalar_for(x, s1)); return 0;
    case I_FILL: x.fill_(mm::scalar_for(x, s1)); return 0;
    case I_ZERO: x.zero_(); return 0;
    case I_UNIFORM: x.uniform_(s1, s2); return 0;
    case I_NORMAL: x.normal_(s1, s2); return 0;
    case I_CLAMP: x.clamp_(s1, s2); return 0;
    case I_DIV: x.div_(T(b)); return 0;
    case I_SUB: x.sub_(T(b), s1); return 0;
    // Swaps the storage (and device/dtype) under an existing tensor, as Module.to() does, so handles held by
    // optimisers and layers stay valid.
    case I_SET_DATA: x.set_data(T(b)); return 0;
  }
  TORCH_CHECK(false, "unknown in-place opcode ", op);
  MM_CATCH_INT
}

// ---- reductions ------------------------------------------------------------------------------------------------

// dims == nullptr / ndims == 0 reduces over every dimension. For STD/VAR p is the correction (1 = unbiased);
// for NORM p is the order.
MM_API void* mm_reduce(int32_t op, void* a, const int64_t* dims, int32_t ndims, int32_t keepdim, double p) {
  MM_TRY
  const auto& x = T(a);
  std::vector<int64_t> all;
  if (ndims == 0) {
    for (int64_t d = 0; d < x.dim(); ++d) all.push_back(d);
  } else {
    all.assign(dims, dims + ndims);
  }
  const bool keep = keepdim != 0;
  const at::IntArrayRef d(all);
  switch (op) {
    case R_SUM: return mm::wrap(ndims == 0 && !keep ? x.sum() : at::sum(x, d, keep));
    case R_MEAN: return mm::wrap(ndims == 0 && !keep ? x.mean() : at::mean(x, d, keep));
    case R_AMAX: return mm::wrap(at::amax(x, d, keep));
    case R_AMIN: return mm::wrap(at::amin(x, d, keep));
    case R_ARGMAX:
    case R_ARGMIN: {
      TORCH_CHECK(ndims <= 1, "argmax/argmin reduce over one dimension or all, not ", ndims);
      c10::optional<int64_t> dim = ndims == 0 ? c10::nullopt : c10::optional<int64_t>(dims[0]);
      return mm::wrap(op == R_ARGMAX ? at::argmax(x, dim, keep) : at::argmin(x, dim, keep));
    }
    case R_STD: return mm::wrap(at::std(x, d, c10::optional<int64_t>(static_cast<int64_t>(p)), keep));
    case R_VAR: return mm::wrap(at::var(x, d, c10::optional<int64_t>(static_cast<int64_t>(p)), keep));
    case R_LOGSUMEXP: return mm::wrap(at::logsumexp(x, d, keep));
    case R_NORM: return mm::wrap(at::norm(x, at::Scalar(p), d, keep));
    case R_ANY:
    case R_ALL:
    case R_PROD: {
      // libtorch 1.13 reduces these over one dimension at a time; go from the last so indices stay valid.
      auto sorted = all;
      for (auto& v : sorted) v = c10::maybe_wrap_dim(v, x.dim());
      std::sort(sorted.begin(), sorted.end());
      at::Tensor r = x;
      for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
        r = op == R_ANY ? at::any(r, *it, keep) : op == R_ALL ? at::all(r, *it, keep) : at::prod(r, *it, keep);
      }
      if (sorted.empty()) r = op == R_ANY ? x.any() : op == R_ALL ? x.all() : x.prod();
      return mm::wrap(std::move(r));
    }
  }
  TORCH_CHECK(false, "unknown reduction opcode ", op);
  MM_CATCH_PTR
}

// Operations along one dimension.

MM_API void* mm_dim_op(int32_t op, void* a, int64_t dim) {
  MM_TRY
  const auto& x = T(a);
  switch (op) {
    case D_SOFTMAX: return mm::wrap(at::softmax(x, dim));
    case D_LOG_SOFTMAX: return mm::wrap(at::log_softmax(x, dim));
    case D_CUMSUM: return mm::wrap(at::cumsum(x, dim));
    case D_SQUEEZE: return mm::wrap(x.squeeze(dim));
    case D_UNSQUEEZE: return mm::wrap(x.unsqueeze(dim));
    case D_SQUEEZE_ALL: return mm::wrap(x.squeeze());
  }
  TORCH_CHECK(false, "unknown dimension opcode ", op);
  MM_CATCH_PTR
}

// ---- views and indexing ---------------------------------------------------------------------------------------

// args carries the op's integers: a shape (RESHAPE/VIEW/EXPAND/REPEAT), dims (PERMUTE/FLIP), {start, end} (FLATTEN),
// {d0, d1} (TRANSPOSE), {dim, start, end, step} (SLICE), {dim, index} (SELECT), {dim, start, length} (NARROW).
MM_API void* mm_view(int32_t op, void* a, const int64_t* args, int32_t nargs) {
  MM_TRY
  const auto& x = T(a);
  auto need = [&](int32_t n) { TORCH_CHECK(nargs == n, "view opcode ", op, " takes ", n, " integers, got ", nargs); };
  switch (op) {
    case V_RESHAPE: return mm::wrap(x.reshape(mm::ints(args, nargs)));
    case V_VIEW: return mm::wrap(x.view(mm::ints(args, nargs)));
    case V_PERMUTE: return mm::wrap(x.permute(mm::ints(args, nargs)));
    case V_EXPAND: return mm::wrap(x.expand(mm::ints(args, nargs)));
    case V_FLATTEN: need(2); return mm::wrap(x.flatten(args[0], args[1]));
    case V_TRANSPOSE: need(2); return mm::wrap(x.transpose(args[0], args[1]));
    case V_SLICE: need(4); return mm::wrap(x.slice(args[0], args[1], args[2], args[3]));
    case V_SELECT: need(2); return mm::wrap(x.select(args[0], args[1]));
    case V_NARROW: need(3); return mm::wrap(x.narrow(args[0], args[1], args[2]));
    case V_REPEAT: return mm::wrap(x.repeat(mm::ints(args, nargs)));
    case V_FLIP: return mm::wrap(x.flip(mm::ints(args, nargs)));
  }
  TORCH_CHECK(false, "unknown view opcode ", op);
  MM_CATCH_PTR
}

MM_API void* mm_index_op(int32_t op, void* a, void* b, void* c, int64_t dim, double value) {
  MM_TRY
  switch (op) {
    case X_INDEX_SELECT: return mm::wrap(at::index_select(T(a), dim, T(b)));
    case X_GATHER: return mm::wrap(at::gather(T(a), dim, T(b)));
    case X_MASKED_FILL: return mm::wrap(at::masked_fill(T(a), T(b), mm::scalar_for(T(a), value)));
    case X_WHERE: return mm::wrap(at::where(T(a), T(b), T(c)));
    case X_MASKED_SELECT: return mm::wrap(at::masked_select(T(a), T(b)));
  }
  TORCH_CHECK(false, "unknown index opcode ", op);
  MM_CATCH_PTR
}

MM_API void* mm_cat(void* const* handles, int32_t count, int64_t dim, int32_t stack) {
  MM_TRY
  auto list = mm::tensors(handles, count);
  return mm::wrap(stack != 0 ? at::stack(list, dim) : at::cat(list, dim));
  MM_CATCH_PTR
}

// dtype < 0 keeps the dtype; device_type < 0 keeps the device.
MM_API void* mm_to(void* a, int32_t dtype, int32_t device_type, int32_t device_index, int32_t copy) {
  MM_TRY
  const auto& x = T(a);
  auto type = dtype < 0 ? x.scalar_type() : static_cast<at::ScalarType>(dtype);
  auto dev = device_type < 0 ? x.device() : mm::device(device_type, device_index);
  return mm::wrap(x.to(dev, type, /*non_blocking=*/false, copy != 0));
  MM_CATCH_PTR
}

// ---- autograd -------------------------------------------------------------------------------------------------

MM_API int mm_set_requires_grad(void* a, int32_t requires_grad) {
  MM_TRY
  T(a).requires_grad_(requires_grad != 0);
  return 0;
  MM_CATCH_INT
}

// *grad receives a new handle, or nullptr when no gradient has been accumulated.
MM_API int mm_grad(void* a, void** grad) {
  MM_TRY
  const auto& g = T(a).grad();
  *grad = g.defined() ? mm::wrap(at::Tensor(g)) : nullptr;
  return 0;
  MM_CATCH_INT
}

MM_API int mm_backward(void* a, void* gradient, int32_t retain_graph) {
  MM_TRY
  at::Tensor g = gradient == nullptr ? at::Tensor() : T(gradient);
  T(a).backward(g, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt, false);
  return 0;
  MM_CATCH_INT
}

// Drops the accumulated gradients of many tensors in one call (PyTorch's zero_grad(set_to_none=True)).
MM_API int mm_clear_grads(void* const* handles, int32_t count) {
  MM_TRY
  for (int32_t i = 0; i < count; ++i) T(handles[i]).mutable_grad().reset();
  return 0;
  MM_CATCH_INT
}

MM_API int32_t mm_set_grad_enabled(int32_t enabled) {
  const bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous ? 1 : 0;
}

MM_API int32_t mm_is_grad_enabled() { return c10::GradMode::is_enabled() ? 1 : 0; }

// ---- global state ---------------------------------------------------------------------------------------------

MM_API int mm_manual_seed(uint64_t seed) {
  MM_TRY
  at::manual_seed(seed);
  return 0;
  MM_CATCH_INT
}

MM_API int32_t mm_cuda_device_count() {
  try {
    return torch::cuda::is_available() ? static_cast<int32_t>(torch::cuda::device_count()) : 0;
  } catch (...) {
    return 0;
  }
}

MM_API void mm_set_num_threads(int32_t count) { at::set_num_threads(count); }
MM_API int32_t mm_get_num_threads() { return static_cast<int32_t>(at::get_num_threads()); }
