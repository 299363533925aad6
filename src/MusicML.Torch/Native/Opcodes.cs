namespace MusicML.Torch.Native;

// Mirrors of the opcode enums in native/tensor.cpp and native/nn.cpp: one general entry point per family keeps the
// shim small while a call stays a single integer-dispatched transition. Keep the values in step with the C++.

internal enum FactoryOp { Empty = 0, Zeros, Ones, Full, Rand, Randn }

internal enum UnaryOp
{
    Neg = 0, Abs, Exp, Log, Sqrt, Rsqrt, Sin, Cos, Tanh, Sigmoid, Relu, Gelu, Silu, Log1p, Square, Sign, Floor, Ceil,
    Round, Clone, Contiguous, Detach, Reciprocal, Softplus, LogicalNot, IsNan, Erf, IsFinite, Log10, Expm1,
}

internal enum BinaryOp
{
    Add = 0, Sub, Mul, Div, Pow, MatMul, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder, Atan2,
}

internal enum ScalarOp
{
    Add = 0, Sub, Mul, Div, Pow, RSub, Eq, Ne, Lt, Le, Gt, Ge, LeakyRelu, Elu, ClampMin, ClampMax, Remainder, RDiv, RPow,
}

internal enum InplaceOp { Copy = 0, Add, Mul, MulScalar, AddScalar, Fill, Zero, Uniform, Normal, Clamp, Div, Sub, SetData }

internal enum ReduceOp { Sum = 0, Mean, Amax, Amin, ArgMax, ArgMin, Std, Var, LogSumExp, Norm, Any, All, Prod }

internal enum DimOp { Softmax = 0, LogSoftmax, CumSum, Squeeze, Unsqueeze, SqueezeAll }

internal enum ViewOp { Reshape = 0, View, Permute, Expand, Flatten, Transpose, Slice, Select, Narrow, Repeat, Flip }

internal enum IndexOp { IndexSelect = 0, Gather, MaskedFill, Where, MaskedSelect }

internal enum PoolOp { Max = 0, Avg }

internal enum LossOp { BceWithLogits = 0, CrossEntropy, Mse, L1, Bce, Nll, TripletMargin, CosineEmbedding }
