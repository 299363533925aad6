// Neural-network functionals: convolution, normalisation, pooling, recurrent layers, attention, losses, STFT and
// mixed-precision autocast. Each maps onto one ATen operator so autograd, CPU and CUDA come from libtorch.
#include "common.h"

#include <ATen/autocast_mode.h>

#include <cmath>
#include <limits>

using mm::T;

MM_API void* mm_conv(void* input, void* weight, void* bias, int32_t spatial_dims, const int64_t* stride,
                     const int64_t* padding, const int64_t* dilation, int64_t groups) {
  MM_TRY
  auto s = mm::ints(stride, spatial_dims), p = mm::ints(padding, spatial_dims), d = mm::ints(dilation, spatial_dims);
  switch (spatial_dims) {
    case 1: return mm::wrap(at::conv1d(T(input), T(weight), mm::opt(bias), s, p, d, groups));
    case 2: return mm::wrap(at::conv2d(T(input), T(weight), mm::opt(bias), s, p, d, groups));
    case 3: return mm::wrap(at::conv3d(T(input), T(weight), mm::opt(bias), s, p, d, groups));
  }
  TORCH_CHECK(false, "convolution over ", spatial_dims, " spatial dimensions is not supported (1, 2 or 3)");
  MM_CATCH_PTR
}

MM_API void* mm_batch_norm(void* input, void* weight, void* bias, void* running_mean, void* running_var,
                           int32_t training, double momentum, double eps) {
  MM_TRY
  return mm::wrap(at::batch_norm(T(input), mm::opt(weight), mm::opt(bias), mm::opt(running_mean),
                                 mm::opt(running_var), training != 0, momentum, eps, true));
  MM_CATCH_PTR
}

MM_API void* mm_layer_norm(void* input, const int64_t* normalized_shape, int32_t ndims, void* weight, void* bias,
                           double eps) {
  MM_TRY
  return mm::wrap(at::layer_norm(T(input), mm::ints(normalized_shape, ndims), mm::opt(weight), mm::opt(bias), eps, true));
  MM_CATCH_PTR
}

MM_API void* mm_linear(void* input, void* weight, void* bias) {
  MM_TRY
  return mm::wrap(at::linear(T(input), T(weight), mm::opt(bias)));
  MM_CATCH_PTR
}

MM_API void* mm_dropout(void* input, double p, int32_t training) {
  MM_TRY
  return mm::wrap(at::dropout(T(input), p, training != 0));
  MM_CATCH_PTR
}

MM_API void* mm_embedding(void* weight, void* indices, int64_t padding_idx) {
  MM_TRY
  return mm::wrap(at::embedding(T(weight), T(indices), padding_idx));
  MM_CATCH_PTR
}

MM_API void* mm_pool(int32_t op, void* input, int32_t spatial_dims, const int64_t* kernel, const int64_t* stride,
                     const int64_t* padding, const int64_t* dilation, int32_t ceil_mode, int32_t count_include_pad) {
  MM_TRY
  auto k = mm::ints(kernel, spatial_dims), s = mm::ints(stride, spatial_dims), p = mm::ints(padding, spatial_dims);
  auto d = mm::ints(dilation, spatial_dims);
  const bool ceil = ceil_mode != 0, include = count_include_pad != 0;
  if (op == P_MAX && spatial_dims == 1) return mm::wrap(at::max_pool1d(T(input), k, s, p, d, ceil));
  if (op == P_MAX && spatial_dims == 2) return mm::wrap(at::max_pool2d(T(input), k, s, p, d, ceil));
  if (op == P_AVG && spatial_dims == 1) return mm::wrap(at::avg_pool1d(T(input), k, s, p, ceil, include));
  if (op == P_AVG && spatial_dims == 2) return mm::wrap(at::avg_pool2d(T(input), k, s, p, ceil, include));
  TORCH_CHECK(false, "pooling opcode ", op, " over ", spatial_dims, " spatial dimensions is not supported (1 or 2)");
  MM_CATCH_PTR
}

MM_API void* mm_adaptive_pool(int32_t op, void* input, int32_t spatial_dims, const int64_t* output_size) {
  MM_TRY
  auto o = mm::ints(output_size, spatial_dims);
  if (op == P_MAX && spatial_dims == 1) return mm::wrap(std::get<0>(at::adaptive_max_pool1d(T(input), o)));
  if (op == P_MAX && spatial_dims == 2) return mm::wrap(std::get<0>(at::adaptive_max_pool2d(T(input), o)));
  if (op == P_AVG && spatial_dims == 1) return mm::wrap(at::adaptive_avg_pool1d(T(input), o));
  if (op == P_AVG && spatial_dims == 2) return mm::wrap(at::adaptive_avg_pool2d(T(input), o));
  TORCH_CHECK(false, "adaptive pooling opcode ", op, " over ", spatial_dims, " dimensions is not supported (1 or 2)");
  MM_CATCH_PTR
}

// params follow PyTorch's flat-weights order: per layer, per direction: w_ih, w_hh[, b_ih, b_hh].
MM_API int mm_rnn(int32_t kind, void* input, void* h0, void* c0, void* const* params, int32_t nparams,
                  int32_t has_biases, int64_t num_layers, double dropout, int32_t training, int32_t bidirectional,
                  int32_t batch_first, void** output, void** h_n, void** c_n) {
  MM_TRY
  auto weights = mm::tensors(params, nparams);
  if (kind == RNN_GRU) {
    auto result = at::gru(T(input), T(h0), weights, has_biases != 0, num_layers, dropout, training != 0,
                          bidirectional != 0, batch_first != 0);
    *output = mm::wrap(std::move(std::get<0>(result)));
    *h_n = mm::wrap(std::move(std::get<1>(result)));
    if (c_n != nullptr) *c_n = nullptr;
    return 0;
  }
  TORCH_CHECK(kind == RNN_LSTM, "unknown recurrent kind ", kind);
  TORCH_CHECK(c0 != nullptr, "an LSTM needs an initial cell state");
  std::vector<at::Tensor> hx{T(h0), T(c0)};
  auto result = at::lstm(T(input), hx, weights, has_biases != 0, num_layers, dropout, training != 0,
                         bidirectional != 0, batch_first != 0);
  *output = mm::wrap(std::move(std::get<0>(result)));
  *h_n = mm::wrap(std::move(std::get<1>(result)));
  *c_n = mm::wrap(std::move(std::get<2>(result)));
  return 0;
  MM_CATCH_INT
}

// softmax(q kᵀ / √d + mask) v, written out (libtorch 1.13 has no public fused kernel). A boolean mask keeps the
// positions where it is true; a floating mask is added to the scores.
MM_API void* mm_scaled_dot_product_attention(void* q, void* k, void* v, void* mask, double dropout_p,
                                             int32_t is_causal, int32_t training) {
  MM_TRY
  const auto& query = T(q);
  const auto& key = T(k);
  const double scale = 1.0 / std::sqrt(static_cast<double>(query.size(-1)));
  auto scores = at::matmul(query, key.transpose(-2, -1)) * scale;
  const auto neg_inf = -std::numeric_limits<double>::infinity();
  if (is_causal != 0) {
    auto keep = at::ones({query.size(-2), key.size(-2)}, query.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), neg_inf);
  }
  if (mask != nullptr) {
    const auto& m = T(mask);
    scores = m.scalar_type() == at::kBool ? scores.masked_fill(m.logical_not(), neg_inf) : scores + m;
  }
  auto weights = at::softmax(scores, -1);
  if (dropout_p > 0) weights = at::dropout(weights, dropout_p, training != 0);
  return mm::wrap(at::matmul(weights, T(v)));
  MM_CATCH_PTR
}

// Operands: BCE_WITH_LOGITS(input, target, weight, extra = pos_weight); CROSS_ENTROPY / NLL(input, target, weight;
// p1 = ignore_index, p2 = label smoothing); TRIPLET_MARGIN(input = anchor, target = positive, extra = negative;
// p1 = margin, p2 = norm order); COSINE_EMBEDDING(input = x1, extra = x2, target = ±1; p1 = margin).
// reduction: 0 none, 1 mean, 2 sum (at::Reduction).
MM_API void* mm_loss(int32_t op, void* input, void* target, void* weight, void* extra, int32_t reduction, double p1,
                     double p2) {
  MM_TRY
  const auto& x = T(input);
  const auto& y = T(target);
  switch (op) {
    case L_BCE_WITH_LOGITS:
      return mm::wrap(at::binary_cross_entropy_with_logits(x, y, mm::opt(weight), mm::opt(extra), reduction));
    case L_CROSS_ENTROPY:
      return mm::wrap(at::cross_entropy_loss(x, y, mm::opt(weight), reduction, static_cast<int64_t>(p1), p2));
    case L_MSE: return mm::wrap(at::mse_loss(x, y, reduction));
    case L_L1: return mm::wrap(at::l1_loss(x, y, reduction));
    case L_BCE: return mm::wrap(at::binary_cross_entropy(x, y, mm::opt(weight), reduction));
    case L_NLL: return mm::wrap(at::nll_loss(x, y, mm::opt(weight), reduction, static_cast<int64_t>(p1)));
    case L_TRIPLET_MARGIN: return mm::wrap(at::triplet_margin_loss(x, y, T(extra), p1, p2, 1e-6, false, reduction));
    case L_COSINE_EMBEDDING: return mm::wrap(at::cosine_embedding_loss(x, T(extra), y, p1, reduction));
  }
  TORCH_CHECK(false, "unknown loss opcode ", op);
  MM_CATCH_PTR
}

// Short-time Fourier transform with torch.stft's centring. power == 0 returns the complex result as a real view
// with a trailing (re, im) dimension; otherwise |X|^power.
MM_API void* mm_stft(void* input, int64_t n_fft, int64_t hop_length, int64_t win_length, void* window, int32_t center,
                     int32_t reflect_pad, int32_t normalized, int32_t onesided, double power) {
  MM_TRY
  auto spectrum = at::stft(T(input), n_fft, hop_length, win_length, mm::opt(window), center != 0,
                           reflect_pad != 0 ? "reflect" : "constant", normalized != 0, onesided != 0, true);
  if (power == 0) return mm::wrap(at::view_as_real(spectrum).contiguous());
  auto magnitude = at::abs(spectrum);
  return mm::wrap(power == 1 ? std::move(magnitude) : at::pow(magnitude, power));
  MM_CATCH_PTR
}

// Autocast (mixed precision) for CUDA: enabling returns the previous state so scopes nest.
MM_API int32_t mm_autocast_enter(int32_t dtype) {
  const bool previous = at::autocast::is_enabled();
  at::autocast::set_autocast_gpu_dtype(static_cast<at::ScalarType>(dtype));
  at::autocast::set_enabled(true);
  at::autocast::increment_nesting();
  return previous ? 1 : 0;
}

MM_API void mm_autocast_exit(int32_t previous) {
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_enabled(previous != 0);
}
