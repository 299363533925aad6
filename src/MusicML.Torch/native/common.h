// Shared by every translation unit of the shim: the handle convention and the exception boundary.
//
// A tensor handle is a heap-allocated at::Tensor owned by exactly one C# object, released with mm_tensor_free.
// Functions that return a handle return nullptr on failure; functions that return int return 0 on success and -1
// on failure. After a failure mm_last_error() holds libtorch's message for the calling thread.
#pragma once

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "opcodes.h"

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#define MM_API extern "C" __attribute__((visibility("default")))

namespace mm {

void set_error(const char* message);
extern std::atomic<int64_t> live_tensors;

inline void* wrap(at::Tensor&& tensor) {
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return new at::Tensor(std::move(tensor));
}

inline at::Tensor& T(void* handle) { return *static_cast<at::Tensor*>(handle); }

inline c10::optional<at::Tensor> opt(void* handle) {
  if (handle == nullptr) return c10::nullopt;
  return T(handle);
}

inline std::vector<at::Tensor> tensors(void* const* handles, int32_t count) {
  std::vector<at::Tensor> list;
  list.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) list.push_back(T(handles[i]));
  return list;
}

inline at::IntArrayRef ints(const int64_t* values, int32_t count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

inline at::Device device(int32_t type, int32_t index) {
  return at::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

// A double from C# as the Scalar Python would pass: an integral value becomes an int64 Scalar so integer tensors stay
// integer (PyTorch: int64_tensor + 1 is int64, + 1.5 is float).
inline at::Scalar scalar_for(const at::Tensor& t, double v) {
  if (!at::isFloatingType(t.scalar_type()) && !at::isComplexType(t.scalar_type()) && v == static_cast<double>(static_cast<int64_t>(v)))
    return at::Scalar(static_cast<int64_t>(v));
  return at::Scalar(v);
}

}  // namespace mm

// Every exported function body sits between MM_TRY and one of the catches, so no C++ exception crosses the C ABI.
#define MM_TRY try {
#define MM_CATCH(failure)                                      \
  }                                                            \
  catch (const c10::Error& e) {                                \
    mm::set_error(e.what_without_backtrace());                 \
    return failure;                                            \
  }                                                            \
  catch (const std::exception& e) {                            \
    mm::set_error(e.what());                                   \
    return failure;                                            \
  }                                                            \
  catch (...) {                                                \
    mm::set_error("unknown C++ exception in the libtorch shim"); \
    return failure;                                            \
  }
#define MM_CATCH_PTR MM_CATCH(nullptr)
#define MM_CATCH_INT MM_CATCH(-1)
