// The opcode tables of the shim, written once: each X-macro list below defines the C++ enum (values 0, 1, 2, … in
// list order) and the text mm_opcode_table() returns, which MusicML.Torch compares with its enums in
// Interop/Opcodes.cs when the library loads (TorchNative.VerifyOpcodes), so a table edited on one side only is a
// clear error at load instead of a wrong operation at run time.
#pragma once

#include <cstdint>

#define MM_FACTORY_OPS(X) \
  X(F_EMPTY) X(F_ZEROS) X(F_ONES) X(F_FULL) X(F_RAND) X(F_RANDN)

#define MM_UNARY_OPS(X) \
  X(U_NEG) X(U_ABS) X(U_EXP) X(U_LOG) X(U_SQRT) X(U_RSQRT) X(U_SIN) X(U_COS) X(U_TANH) X(U_SIGMOID) X(U_RELU) \
  X(U_GELU) X(U_SILU) X(U_LOG1P) X(U_SQUARE) X(U_SIGN) X(U_FLOOR) X(U_CEIL) X(U_ROUND) X(U_CLONE) X(U_CONTIGUOUS) \
  X(U_DETACH) X(U_RECIPROCAL) X(U_SOFTPLUS) X(U_LOGICAL_NOT) X(U_ISNAN) X(U_ERF) X(U_ISFINITE) X(U_LOG10) \
  X(U_EXPM1)

#define MM_BINARY_OPS(X) \
  X(B_ADD) X(B_SUB) X(B_MUL) X(B_DIV) X(B_POW) X(B_MATMUL) X(B_MAXIMUM) X(B_MINIMUM) X(B_EQ) X(B_NE) X(B_LT) \
  X(B_LE) X(B_GT) X(B_GE) X(B_LOGICAL_AND) X(B_LOGICAL_OR) X(B_REMAINDER) X(B_ATAN2)

#define MM_SCALAR_OPS(X) \
  X(S_ADD) X(S_SUB) X(S_MUL) X(S_DIV) X(S_POW) X(S_RSUB) X(S_EQ) X(S_NE) X(S_LT) X(S_LE) X(S_GT) X(S_GE) \
  X(S_LEAKY_RELU) X(S_ELU) X(S_CLAMP_MIN) X(S_CLAMP_MAX) X(S_REMAINDER) X(S_RDIV) X(S_RPOW)

#define MM_INPLACE_OPS(X) \
  X(I_COPY) X(I_ADD) X(I_MUL) X(I_MUL_SCALAR) X(I_ADD_SCALAR) X(I_FILL) X(I_ZERO) X(I_UNIFORM) X(I_NORMAL) \
  X(I_CLAMP) X(I_DIV) X(I_SUB) X(I_SET_DATA)

#define MM_REDUCE_OPS(X) \
  X(R_SUM) X(R_MEAN) X(R_AMAX) X(R_AMIN) X(R_ARGMAX) X(R_ARGMIN) X(R_STD) X(R_VAR) X(R_LOGSUMEXP) X(R_NORM) \
  X(R_ANY) X(R_ALL) X(R_PROD)

#define MM_DIM_OPS(X) \
  X(D_SOFTMAX) X(D_LOG_SOFTMAX) X(D_CUMSUM) X(D_SQUEEZE) X(D_UNSQUEEZE) X(D_SQUEEZE_ALL)

#define MM_VIEW_OPS(X) \
  X(V_RESHAPE) X(V_VIEW) X(V_PERMUTE) X(V_EXPAND) X(V_FLATTEN) X(V_TRANSPOSE) X(V_SLICE) X(V_SELECT) X(V_NARROW) \
  X(V_REPEAT) X(V_FLIP)

#define MM_INDEX_OPS(X) \
  X(X_INDEX_SELECT) X(X_GATHER) X(X_MASKED_FILL) X(X_WHERE) X(X_MASKED_SELECT)

#define MM_POOL_OPS(X) \
  X(P_MAX) X(P_AVG)

#define MM_RNN_KINDS(X) \
  X(RNN_GRU) X(RNN_LSTM)

#define MM_LOSS_OPS(X) \
  X(L_BCE_WITH_LOGITS) X(L_CROSS_ENTROPY) X(L_MSE) X(L_L1) X(L_BCE) X(L_NLL) X(L_TRIPLET_MARGIN) \
  X(L_COSINE_EMBEDDING)

#define MM_OPTIM_KINDS(X) \
  X(O_SGD) X(O_ADAM) X(O_ADAMW)

#define MM_ENUMERATOR(name) name,

enum FactoryOp : int32_t { MM_FACTORY_OPS(MM_ENUMERATOR) };
enum UnaryOp : int32_t { MM_UNARY_OPS(MM_ENUMERATOR) };
enum BinaryOp : int32_t { MM_BINARY_OPS(MM_ENUMERATOR) };
enum ScalarOp : int32_t { MM_SCALAR_OPS(MM_ENUMERATOR) };
enum InplaceOp : int32_t { MM_INPLACE_OPS(MM_ENUMERATOR) };
enum ReduceOp : int32_t { MM_REDUCE_OPS(MM_ENUMERATOR) };
enum DimOp : int32_t { MM_DIM_OPS(MM_ENUMERATOR) };
enum ViewOp : int32_t { MM_VIEW_OPS(MM_ENUMERATOR) };
enum IndexOp : int32_t { MM_INDEX_OPS(MM_ENUMERATOR) };
enum PoolOp : int32_t { MM_POOL_OPS(MM_ENUMERATOR) };
enum RnnKind : int32_t { MM_RNN_KINDS(MM_ENUMERATOR) };
enum LossOp : int32_t { MM_LOSS_OPS(MM_ENUMERATOR) };
enum OptimKind : int32_t { MM_OPTIM_KINDS(MM_ENUMERATOR) };

#undef MM_ENUMERATOR

// Every family above, in the form "Family:NAME,NAME,…;" that mm_opcode_table() returns.
#define MM_OPCODE_NAME(name) #name ","
#define MM_OPCODE_TABLE \
  "FactoryOp:" MM_FACTORY_OPS(MM_OPCODE_NAME) ";" \
  "UnaryOp:" MM_UNARY_OPS(MM_OPCODE_NAME) ";" \
  "BinaryOp:" MM_BINARY_OPS(MM_OPCODE_NAME) ";" \
  "ScalarOp:" MM_SCALAR_OPS(MM_OPCODE_NAME) ";" \
  "InplaceOp:" MM_INPLACE_OPS(MM_OPCODE_NAME) ";" \
  "ReduceOp:" MM_REDUCE_OPS(MM_OPCODE_NAME) ";" \
  "DimOp:" MM_DIM_OPS(MM_OPCODE_NAME) ";" \
  "ViewOp:" MM_VIEW_OPS(MM_OPCODE_NAME) ";" \
  "IndexOp:" MM_INDEX_OPS(MM_OPCODE_NAME) ";" \
  "PoolOp:" MM_POOL_OPS(MM_OPCODE_NAME) ";" \
  "RnnKind:" MM_RNN_KINDS(MM_OPCODE_NAME) ";" \
  "LossOp:" MM_LOSS_OPS(MM_OPCODE_NAME) ";" \
  "OptimKind:" MM_OPTIM_KINDS(MM_OPCODE_NAME) ";"
