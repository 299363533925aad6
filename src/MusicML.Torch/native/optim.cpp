// Optimisers and gradient clipping. The optimisers are libtorch's own (torch::optim), so one shim call updates every
// parameter with exactly PyTorch's update rule; C# only holds the opaque pointer.
#include "common.h"

#include <torch/types.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <memory>

using mm::T;

// SGD: a = momentum, b = dampening, flag = nesterov. Adam/AdamW: a = beta1, b = beta2, flag = amsgrad.
MM_API void* mm_optim_new(int32_t kind, void* const* params, int32_t nparams, double lr, double a, double b,
                          double eps, double weight_decay, int32_t flag) {
  MM_TRY
  auto list = mm::tensors(params, nparams);
  switch (kind) {
    case O_SGD:
      return new torch::optim::SGD(list, torch::optim::SGDOptions(lr).momentum(a).dampening(b)
                                             .weight_decay(weight_decay).nesterov(flag != 0));
    case O_ADAM:
      return new torch::optim::Adam(list, torch::optim::AdamOptions(lr).betas(std::make_tuple(a, b)).eps(eps)
                                              .weight_decay(weight_decay).amsgrad(flag != 0));
    case O_ADAMW:
      return new torch::optim::AdamW(list, torch::optim::AdamWOptions(lr).betas(std::make_tuple(a, b)).eps(eps)
                                               .weight_decay(weight_decay).amsgrad(flag != 0));
  }
  TORCH_CHECK(false, "unknown optimiser kind ", kind);
  MM_CATCH_PTR
}

MM_API void mm_optim_free(void* optimizer) { delete static_cast<torch::optim::Optimizer*>(optimizer); }

MM_API int mm_optim_step(void* optimizer) {
  MM_TRY
  torch::NoGradGuard no_grad;
  static_cast<torch::optim::Optimizer*>(optimizer)->step();
  return 0;
  MM_CATCH_INT
}

MM_API int mm_optim_set_lr(void* optimizer, double lr) {
  MM_TRY
  for (auto& group : static_cast<torch::optim::Optimizer*>(optimizer)->param_groups()) group.options().set_lr(lr);
  return 0;
  MM_CATCH_INT
}

// Returns the total norm of the gradients before clipping, or -1 on error.
MM_API double mm_clip_grad_norm(void* const* params, int32_t nparams, double max_norm, double norm_type) {
  MM_TRY
  return torch::nn::utils::clip_grad_norm_(mm::tensors(params, nparams), max_norm, norm_type);
  MM_CATCH(-1.0)
}

MM_API int mm_clip_grad_value(void* const* params, int32_t nparams, double clip_value) {
  MM_TRY
  torch::nn::utils::clip_grad_value_(mm::tensors(params, nparams), clip_value);
  return 0;
  MM_CATCH_INT
}
