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

// Per-parameter optimiser state, so a training checkpoint can hold Adam's moments (or SGD's momentum) and a resumed
// run continues with exactly the update an uninterrupted one would make. libtorch keys the state by the parameter's
// TensorImpl address; the shim addresses it by the parameter's position in the optimiser instead, the only identity
// C# has. Slots: Adam/AdamW 0 = exp_avg, 1 = exp_avg_sq, 2 = max_exp_avg_sq; SGD 0 = momentum_buffer.
namespace {

const at::Tensor& param_at(torch::optim::Optimizer* optimizer, int32_t index) {
  int32_t i = 0;
  for (auto& group : optimizer->param_groups())
    for (auto& p : group.params())
      if (i++ == index) return p;
  TORCH_CHECK(false, "optimiser parameter index ", index, " is out of range (", i, " parameters)");
}

std::string state_key(const at::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

}  // namespace

// Returns -1 on error, 0 when the parameter has no state yet (never stepped), else 1 + a bitmask of the defined
// slots shifted left by one (bit 1 = slot 0, ...). *step receives Adam's step count (0 for SGD).
MM_API int mm_optim_state_info(void* optimizer, int32_t index, int64_t* step) {
  MM_TRY
  auto* opt = static_cast<torch::optim::Optimizer*>(optimizer);
  auto& state = opt->state();
  auto it = state.find(state_key(param_at(opt, index)));
  *step = 0;
  if (it == state.end()) return 0;
  int mask = 0;
  if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(it->second.get())) {
    *step = adam->step();
    if (adam->exp_avg().defined()) mask |= 1;
    if (adam->exp_avg_sq().defined()) mask |= 2;
    if (adam->max_exp_avg_sq().defined()) mask |= 4;
  } else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get())) {
    *step = adamw->step();
    if (adamw->exp_avg().defined()) mask |= 1;
    if (adamw->exp_avg_sq().defined()) mask |= 2;
    if (adamw->max_exp_avg_sq().defined()) mask |= 4;
  } else if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(it->second.get())) {
    if (sgd->momentum_buffer().defined()) mask |= 1;
  } else {
    TORCH_CHECK(false, "unsupported optimiser state type");
  }
  return 1 + (mask << 1);
  MM_CATCH_INT
}

// A copy of one state slot (see mm_optim_state_info), or nullptr with an error when it is undefined.
MM_API void* mm_optim_state_tensor(void* optimizer, int32_t index, int32_t slot) {
  MM_TRY
  auto* opt = static_cast<torch::optim::Optimizer*>(optimizer);
  auto& state = opt->state();
  auto it = state.find(state_key(param_at(opt, index)));
  TORCH_CHECK(it != state.end(), "optimiser parameter ", index, " has no state");
  at::Tensor t;
  if (auto* adam = dynamic_cast<torch::optim::AdamParamState*>(it->second.get()))
    t = slot == 0 ? adam->exp_avg() : slot == 1 ? adam->exp_avg_sq() : adam->max_exp_avg_sq();
  else if (auto* adamw = dynamic_cast<torch::optim::AdamWParamState*>(it->second.get()))
    t = slot == 0 ? adamw->exp_avg() : slot == 1 ? adamw->exp_avg_sq() : adamw->max_exp_avg_sq();
  else if (auto* sgd = dynamic_cast<torch::optim::SGDParamState*>(it->second.get()))
    t = slot == 0 ? sgd->momentum_buffer() : at::Tensor();
  TORCH_CHECK(t.defined(), "optimiser parameter ", index, " has no state slot ", slot);
  return mm::wrap(t.detach().clone());
  MM_CATCH_PTR
}

// Replaces one parameter's state with copies of s0..s2 (nullptr = undefined) and the step count.
MM_API int mm_optim_set_state(void* optimizer, int32_t index, int64_t step, void* s0, void* s1, void* s2) {
  MM_TRY
  auto* opt = static_cast<torch::optim::Optimizer*>(optimizer);
  const auto& p = param_at(opt, index);
  auto copy = [&p](void* h) {
    if (h == nullptr) return at::Tensor();
    auto& t = mm::T(h);
    TORCH_CHECK(t.sizes() == p.sizes(), "optimiser state of shape ", t.sizes(), " does not fit parameter of shape ", p.sizes());
    return t.detach().to(p.options()).clone();
  };
  std::unique_ptr<torch::optim::OptimizerParamState> fresh;
  if (dynamic_cast<torch::optim::Adam*>(opt)) {
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(step);
    s->exp_avg(copy(s0));
    s->exp_avg_sq(copy(s1));
    s->max_exp_avg_sq(copy(s2));
    TORCH_CHECK(s->exp_avg().defined() && s->exp_avg_sq().defined(), "Adam state needs exp_avg and exp_avg_sq");
    fresh = std::move(s);
  } else if (dynamic_cast<torch::optim::AdamW*>(opt)) {
    auto s = std::make_unique<torch::optim::AdamWParamState>();
    s->step(step);
    s->exp_avg(copy(s0));
    s->exp_avg_sq(copy(s1));
    s->max_exp_avg_sq(copy(s2));
    TORCH_CHECK(s->exp_avg().defined() && s->exp_avg_sq().defined(), "AdamW state needs exp_avg and exp_avg_sq");
    fresh = std::move(s);
  } else if (dynamic_cast<torch::optim::SGD*>(opt)) {
    auto s = std::make_unique<torch::optim::SGDParamState>();
    s->momentum_buffer(copy(s0));
    fresh = std::move(s);
  } else {
    TORCH_CHECK(false, "unsupported optimiser type");
  }
  opt->state()[state_key(p)] = std::move(fresh);
  return 0;
  MM_CATCH_INT
}
