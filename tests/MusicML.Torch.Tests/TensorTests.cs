using MusicML.Torch;

namespace MusicML.Torch.Tests;

public class TensorTests
{
    [Fact]
    public void Float32RoundTripsWithShape()
    {
        using var t = Tensor.From([1f, 2, 3, 4, 5, 6], [2, 3]);
        Assert.Equal([2L, 3], t.Shape);
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(Device.Cpu, t.Device);
        Assert.Equal(6, t.NumElements);
        Assert.Equal([1f, 2, 3, 4, 5, 6], t.ToArray<float>());
    }

    [Fact]
    public void EveryDTypeRoundTrips()
    {
        using (var h = Tensor.From([(Half)1.5f, (Half)(-2f)]))
        {
            Assert.Equal(DType.Float16, h.DType);
            Assert.Equal([(Half)1.5f, (Half)(-2f)], h.ToArray<Half>());
        }
        using (var l = Tensor.From([long.MaxValue, -7L], [2, 1]))
        {
            Assert.Equal(DType.Int64, l.DType);
            Assert.Equal([long.MaxValue, -7L], l.ToArray<long>());
        }
        using (var b = Tensor.From([true, false, true]))
        {
            Assert.Equal(DType.Bool, b.DType);
            Assert.Equal([true, false, true], b.ToArray<bool>());
        }
        using (var d = Tensor.From([Math.PI]))
            Assert.Equal(Math.PI, d.ToArray<double>()[0]);
        // bfloat16 has no .NET type: 0x3FC0 is 1.5 (sign 0, exponent 127, mantissa .1b) and 0xC000 is -2.
        var bits = new byte[] { 0xC0, 0x3F, 0x00, 0xC0 };
        using var bf = Tensor.FromBytes(bits, DType.BFloat16, [2]);
        Assert.Equal(DType.BFloat16, bf.DType);
        Assert.Equal([1.5f, -2f], bf.ToArray<float>());
        var back = new byte[4];
        bf.CopyToBytes(back, DType.BFloat16);
        Assert.Equal(bits, back);
    }

    [Fact]
    public void ScalarIsZeroDimensional()
    {
        using var s = Tensor.Scalar(42L);
        Assert.Equal(0, s.Rank);
        Assert.Equal(42, s.ToInt64());
    }

    [Fact]
    public void WrongDataLengthNamesShape()
    {
        var e = Assert.Throws<TorchException>(() => Tensor.From([1f, 2, 3], [2, 2]));
        Assert.Contains("[2, 2]", e.Message);
    }

    [Fact]
    public void ArithmeticBroadcastsLikePyTorch()
    {
        // [[1,2,3],[4,5,6]] (2x3) with [10,20,30] (3) broadcast over rows, and a (2x1) column over columns.
        using var a = Tensor.From([1f, 2, 3, 4, 5, 6], [2, 3]);
        using var row = Tensor.From([10f, 20, 30]);
        using var col = Tensor.From([2f, 4], [2, 1]);
        using var sum = a + row;
        Assert.Equal([11f, 22, 33, 14, 25, 36], sum.ToArray<float>());
        using var prod = a * col;
        Assert.Equal([2f, 4, 6, 16, 20, 24], prod.ToArray<float>());
        using var diff = 1.0 - a;
        Assert.Equal([0f, -1, -2, -3, -4, -5], diff.ToArray<float>());
        using var quot = a / col;
        Assert.Equal([0.5f, 1, 1.5f, 1, 1.25f, 1.5f], quot.ToArray<float>());
        using var pow = a.Pow(2);
        Assert.Equal([1f, 4, 9, 16, 25, 36], pow.ToArray<float>());
        using var outer = col + row;
        Assert.Equal([2L, 3], outer.Shape);
        Assert.Equal([12f, 22, 32, 14, 24, 34], outer.ToArray<float>());
        using var gt = a.Gt(3);
        Assert.Equal([false, false, false, true, true, true], gt.ToArray<bool>());
    }

    [Fact]
    public void MatMulMatchesHandComputation()
    {
        // [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]].
        using var a = Tensor.From([1f, 2, 3, 4], [2, 2]);
        using var b = Tensor.From([5f, 6, 7, 8], [2, 2]);
        using var c = a.MatMul(b);
        Assert.Equal([19f, 22, 43, 50], c.ToArray<float>());
    }

    [Fact]
    public void ShapeMismatchCarriesLibtorchMessage()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", e.Message);
        Assert.IsAssignableFrom<MusicML.Core.MusicMLException>(e);
        // The process survives and the shim keeps working after the exception.
        using var ok = a + a;
        Assert.Equal([2L, 3], ok.Shape);
    }

    [Fact]
    public void ReductionsMatchHandComputation()
    {
        using var a = Tensor.From([1f, 2, 3, 4, 5, 6], [2, 3]);
        using var total = a.Sum();
        Assert.Equal(21, total.ToDouble());
        using var colSum = a.Sum([0]);
        Assert.Equal([5f, 7, 9], colSum.ToArray<float>());
        using var rowMean = a.Mean([1], keepDim: true);
        Assert.Equal([2L, 1], rowMean.Shape);
        Assert.Equal([2f, 5], rowMean.ToArray<float>());
        using var max = a.Max([1]);
        Assert.Equal([3f, 6], max.ToArray<float>());
        using var argmax = a.ArgMax(0);
        Assert.Equal([1L, 1, 1], argmax.ToArray<long>());
        // Unbiased std of 1..6 is sqrt(3.5) = 1.8708287.
        using var std = a.Std();
        Assert.Equal(Math.Sqrt(3.5), std.ToDouble(), 5);
        using var norm = a.Norm();
        Assert.Equal(Math.Sqrt(91), norm.ToDouble(), 4);
        using var lse = a.LogSumExp([1]);
        Assert.Equal(Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)), lse.ToArray<float>()[0], 5);
        using var softmax = a.Softmax(1);
        using var softmaxSum = softmax.Sum([1]);
        Assert.All(softmaxSum.ToArray<float>(), v => Assert.Equal(1f, v, 6));
    }

    [Fact]
    public void ViewsAndIndexingSelectTheRightElements()
    {
        using var a = Tensor.Arange(0, 12).Reshape(3, 4);
        using var row = a[1];
        Assert.Equal([4f, 5, 6, 7], row.ToArray<float>());
        using var last = a[-1];
        Assert.Equal([8f, 9, 10, 11], last.ToArray<float>());
        using var cols = a.Slice(1, 1, 3);
        Assert.Equal([1f, 2, 5, 6, 9, 10], cols.ToArray<float>());
        using var stepped = a.Slice(1, 0, long.MaxValue, 2);
        Assert.Equal([0f, 2, 4, 6, 8, 10], stepped.ToArray<float>());
        using var t = a.Transpose(0, 1);
        Assert.Equal([4L, 3], t.Shape);
        Assert.Equal([0f, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11], t.ToArray<float>());
        using var u = a.Unsqueeze(0);
        Assert.Equal([1L, 3, 4], u.Shape);
        using var sq = u.Squeeze(0);
        Assert.Equal([3L, 4], sq.Shape);
        using var flat = a.Flatten();
        Assert.Equal([12L], flat.Shape);
        using var idx = Tensor.From([2L, 0]);
        using var picked = a.IndexSelect(0, idx);
        Assert.Equal([8f, 9, 10, 11, 0, 1, 2, 3], picked.ToArray<float>());
        using var perm = a.Reshape(3, 2, 2).Permute(2, 0, 1);
        Assert.Equal([2L, 3, 2], perm.Shape);
        // A view shares storage: writing through it changes the original.
        using (TorchRuntime.NoGrad()) row.Fill(-1);
        Assert.Equal([0f, 1, 2, 3, -1, -1, -1, -1, 8, 9, 10, 11], a.ToArray<float>());
    }

    [Fact]
    public void SelectionOpsPickTheRightElements()
    {
        using var a = Tensor.From([1f, -2, 3, -4], [2, 2]);
        using var negative = a.Lt(0);
        using var zeroed = a.MaskedFill(negative, 0);
        Assert.Equal([1f, 0, 3, 0], zeroed.ToArray<float>());
        using var picked = a.MaskedSelect(negative);
        Assert.Equal([-2f, -4], picked.ToArray<float>());
        using var abs = a.Abs();
        using var where = Tensor.Where(negative, abs, a);
        Assert.Equal([1f, 2, 3, 4], where.ToArray<float>());
        // gather along dim 1 with indices [[1],[0]]: row 0 takes column 1, row 1 takes column 0.
        using var idx = Tensor.From([1L, 0], [2, 1]);
        using var gathered = a.Gather(1, idx);
        Assert.Equal([-2f, 3], gathered.ToArray<float>());
        using var cumsum = a.CumSum(1);
        Assert.Equal([1f, -1, 3, -1], cumsum.ToArray<float>());
        using var flipped = a.Flip(0);
        Assert.Equal([3f, -4, 1, -2], flipped.ToArray<float>());
        // Integer tensors stay integer with integral scalars, as in PyTorch (int64 + 1 is int64).
        using var counts = Tensor.From([1L, 2]);
        using var next = counts + 1;
        Assert.Equal(DType.Int64, next.DType);
        Assert.Equal([2L, 3], next.ToArray<long>());
        using var half = counts * 0.5;
        Assert.Equal(DType.Float32, half.DType);
        var e = Assert.Throws<TorchException>(() => a.Select(0, 5));
        Assert.Contains("out of range", e.Message);
    }

    [Fact]
    public void CatAndStackJoinAlongTheRightDimension()
    {
        using var a = Tensor.From([1f, 2, 3, 4], [2, 2]);
        using var b = Tensor.From([5f, 6], [1, 2]);
        using var cat = Tensor.Cat([a, b], 0);
        Assert.Equal([3L, 2], cat.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], cat.ToArray<float>());
        using var s = Tensor.Stack([a, a], 1);
        Assert.Equal([2L, 2, 2], s.Shape);
        Assert.Equal([1f, 2, 1, 2, 3, 4, 3, 4], s.ToArray<float>());
        var e = Assert.Throws<TorchException>(() => Tensor.Cat([a, b], 1));
        Assert.Contains("Sizes of tensors must match", e.Message);
    }

    [Fact]
    public void ManualSeedRepeatsRandomNumbers()
    {
        TorchRuntime.ManualSeed(1234);
        using var first = Tensor.Randn([5]);
        TorchRuntime.ManualSeed(1234);
        using var second = Tensor.Randn([5]);
        using var third = Tensor.Randn([5]);
        Assert.Equal(first.ToArray<float>(), second.ToArray<float>());
        Assert.NotEqual(first.ToArray<float>(), third.ToArray<float>());
    }

    [Fact]
    public void AutogradMatchesAnalyticGradients()
    {
        // y = sum(x² · w + sin(x)) → dy/dx = 2xw + cos(x), dy/dw = x².
        using var x = Tensor.From([0.5f, -1f, 2f]).RequiresGrad_();
        using var w = Tensor.From([3f, 1f, -2f]).RequiresGrad_();
        using (var scope = TorchRuntime.NewDisposeScope())
        {
            var y = (x.Square() * w + x.Sin()).Sum();
            y.Backward();
        }
        using var gx = x.Grad!;
        using var gw = w.Grad!;
        float[] xs = [0.5f, -1f, 2f], ws = [3f, 1f, -2f];
        var expectedGx = xs.Select((v, i) => (float)(2 * v * ws[i] + Math.Cos(v))).ToArray();
        var actualGx = gx.ToArray<float>();
        for (int i = 0; i < 3; i++) Assert.Equal(expectedGx[i], actualGx[i], 5);
        Assert.Equal(xs.Select(v => v * v).ToArray(), gw.ToArray<float>());
    }

    [Fact]
    public void NoGradStopsRecording()
    {
        using var x = Tensor.Ones([2]).RequiresGrad_();
        Assert.True(TorchRuntime.IsGradEnabled);
        using (TorchRuntime.NoGrad())
        {
            Assert.False(TorchRuntime.IsGradEnabled);
            using var y = x * 2;
            Assert.False(y.RequiresGrad);
        }
        Assert.True(TorchRuntime.IsGradEnabled);
        using var z = x * 2;
        Assert.True(z.RequiresGrad);
    }

    [Fact]
    public void DisposeScopeReleasesIntermediatesAndKeepsMovedTensors()
    {
        long before = TorchRuntime.LiveTensorCount;
        Tensor kept;
        using (var scope = TorchRuntime.NewDisposeScope())
        {
            using var a = Tensor.Ones([3]);
            var b = a + 1;
            var c = b * b;
            kept = scope.MoveToOuter(c.Sum());
            Assert.True(scope.Count >= 2);
        }
        Assert.Equal(before + 1, TorchRuntime.LiveTensorCount);
        Assert.Equal(12, kept.ToDouble());
        kept.Dispose();
        Assert.Equal(before, TorchRuntime.LiveTensorCount);
        Assert.Throws<ObjectDisposedException>(() => kept.Shape);
    }

    [Fact]
    public void CudaRequestedWithoutCudaIsAClearError()
    {
        if (TorchRuntime.IsCudaAvailable)
        {
            // With CUDA (a shim built against a CUDA libtorch) the same request must simply work.
            using var onGpu = Tensor.Zeros([2], device: Device.Cuda);
            Assert.True(onGpu.Device.IsCuda);
            return;
        }
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros([2], device: Device.Cuda));
        Assert.Contains("CUDA is not available", e.Message);
        Assert.Contains("docs/cuda.md", e.Message);
        using var cpu = Tensor.Zeros([2]);
        Assert.Throws<TorchException>(() => cpu.To(Device.Cuda));
    }

    [Fact]
    public void MissingShimNamesThePackageAndSetup()
    {
        var dependency = MusicML.Torch.Interop.TorchNative.CreateDependency("libmusicml_torch_absent.so");
        var e = Assert.Throws<MusicML.Core.NativeLibraryMissingException>(dependency.EnsureAvailable);
        Assert.Contains("libtorch-dev", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
    }
}
