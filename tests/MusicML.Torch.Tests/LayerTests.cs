using MusicML.Torch;
using MusicML.Torch.Modules;
using F = MusicML.Torch.Functional;

namespace MusicML.Torch.Tests;

public class LayerTests
{
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void Conv2dWithKnownKernel()
    {
        // Input 1..9 as 3x3, kernel [[1,0],[0,-1]], bias 0.5: out[i,j] = x[i,j] − x[i+1,j+1] + 0.5 = 1 − 5 + 0.5 = −3.5.
        using var x = Tensor.Arange(1, 10).Reshape(1, 1, 3, 3);
        using var w = Tensor.From([1f, 0, 0, -1], [1, 1, 2, 2]);
        using var b = Tensor.From([0.5f]);
        using var valid = F.Conv2d(x, w, b);
        Assert.Equal([1L, 1, 2, 2], valid.Shape);
        Assert.Equal([-3.5f, -3.5f, -3.5f, -3.5f], valid.ToArray<float>());
        // Padding 1 gives 4x4; the corner sees only x[0,0] under the −1 tap: 0 − 1 + 0.5 = −0.5, the opposite corner
        // only x[2,2] under the +1 tap: 9 + 0.5.
        using var padded = F.Conv2d(x, w, b, padding: [1, 1]);
        Assert.Equal([1L, 1, 4, 4], padded.Shape);
        var p = padded.ToArray<float>();
        Assert.Equal(-0.5f, p[0]);
        Assert.Equal(9.5f, p[15]);
        // Stride 2 keeps rows/cols 0 and 2 of the padded result.
        using var strided = F.Conv2d(x, w, b, stride: [2, 2], padding: [1, 1]);
        Assert.Equal([p[0], p[2], p[8], p[10]], strided.ToArray<float>());
        // Dilation 2 spreads the taps to x[0,0] and x[2,2]: 1 − 9 + 0.5.
        using var dilated = F.Conv2d(x, w, b, dilation: [2, 2]);
        Assert.Equal([-7.5f], dilated.ToArray<float>());
        // Groups 2: each of two channels convolved with its own 1x1 kernel (×2 and ×−1).
        using var two = Tensor.Cat([x, x], 1);
        using var gw = Tensor.From([2f, -1f], [2, 1, 1, 1]);
        using var grouped = F.Conv2d(two, gw, groups: 2);
        var g = grouped.ToArray<float>();
        Assert.Equal(2f, g[0]);
        Assert.Equal(-9f, g[17]);
    }

    [Fact]
    public void Conv1dAndMismatchedChannelsError()
    {
        // [1,2,3,4,5] with kernel [1,2]: 1+4, 2+6, 3+8, 4+10.
        using var x = Tensor.From([1f, 2, 3, 4, 5], [1, 1, 5]);
        using var w = Tensor.From([1f, 2], [1, 1, 2]);
        using var y = F.Conv1d(x, w);
        Assert.Equal([5f, 8, 11, 14], y.ToArray<float>());
        using var wrong = Tensor.Zeros([1, 3, 2]);
        var e = Assert.Throws<TorchException>(() => F.Conv1d(x, wrong));
        Assert.Contains("expected input[1, 1, 5] to have 3 channels", e.Message);
        Assert.Throws<TorchException>(() => F.Conv1d(x, w, stride: 0));
    }

    [Fact]
    public void BatchNormUpdatesRunningStatisticsLikePyTorch()
    {
        // Batch [1,2,3,4] in one channel: mean 2.5, biased variance 1.25 (used to normalise), unbiased 5/3 (used for
        // the running variance): running_mean = 0.9·0 + 0.1·2.5, running_var = 0.9·1 + 0.1·5/3.
        using var bn = new BatchNorm1d(1);
        using var x = Tensor.From([1f, 2, 3, 4], [4, 1]);
        using var y = bn.Forward(x);
        var expected = new[] { 1f, 2, 3, 4 }.Select(v => (float)((v - 2.5) / Math.Sqrt(1.25 + 1e-5))).ToArray();
        AssertClose(expected, y.ToArray<float>());
        Assert.Equal(0.25f, bn.RunningMean!.ToArray<float>()[0], 6);
        Assert.Equal((float)(0.9 + 0.1 * 5.0 / 3), bn.RunningVar!.ToArray<float>()[0], 6);
        Assert.Equal(1, bn.NumBatchesTracked!.ToInt64());
        bn.Eval();
        using var z = bn.Forward(x);
        double rv = 0.9 + 0.1 * 5.0 / 3;
        AssertClose(new[] { 1f, 2, 3, 4 }.Select(v => (float)((v - 0.25) / Math.Sqrt(rv + 1e-5))).ToArray(), z.ToArray<float>());
        Assert.Equal(1, bn.NumBatchesTracked!.ToInt64());
        using var bn2 = new BatchNorm2d(3);
        var e = Assert.Throws<TorchException>(() => bn2.Forward(x));
        Assert.Contains("rank 4", e.Message);
    }

    [Fact]
    public void LayerNormLinearEmbeddingMatchFormulas()
    {
        using var ln = new LayerNorm([4]);
        using var x = Tensor.From([1f, 2, 3, 4], [1, 4]);
        using var y = ln.Forward(x);
        AssertClose(new[] { 1f, 2, 3, 4 }.Select(v => (float)((v - 2.5) / Math.Sqrt(1.25 + 1e-5))).ToArray(), y.ToArray<float>());

        // W = [[1,2],[3,4]], b = [1,−1], x = [1,1]: [1+2+1, 3+4−1].
        using var w = Tensor.From([1f, 2, 3, 4], [2, 2]);
        using var b = Tensor.From([1f, -1]);
        using var ones = Tensor.Ones([1, 2]);
        using var lin = F.Linear(ones, w, b);
        Assert.Equal([4f, 6], lin.ToArray<float>());

        using var table = Tensor.From([0f, 0, 1, 1, 2, 2], [3, 2]);
        using var idx = Tensor.From([2L, 0, 2]);
        using var rows = F.Embedding(idx, table);
        Assert.Equal([3L, 2], rows.Shape);
        Assert.Equal([2f, 2, 0, 0, 2, 2], rows.ToArray<float>());
        using var emb = new Embedding(5, 3, paddingIdx: 1);
        Assert.Equal([0f, 0, 0], emb.Weight[1].ToArray<float>());
    }

    [Fact]
    public void DropoutZeroesOrScalesInTrainingOnly()
    {
        TorchRuntime.ManualSeed(7);
        using var x = Tensor.Ones([10000]);
        using var dropped = F.Dropout(x, 0.5, training: true);
        var values = dropped.ToArray<float>();
        Assert.All(values, v => Assert.True(v == 0f || v == 2f));
        double kept = values.Count(v => v == 2f) / 10000.0;
        Assert.InRange(kept, 0.47, 0.53); // Binomial(10000, 0.5): 6 standard deviations is ±0.03.
        using var same = F.Dropout(x, 0.5, training: false);
        Assert.All(same.ToArray<float>(), v => Assert.Equal(1f, v));
        Assert.Throws<TorchException>(() => F.Dropout(x, 1.5));
    }

    [Fact]
    public void PoolingMatchesHandComputation()
    {
        using var x = Tensor.Arange(0, 16).Reshape(1, 1, 4, 4);
        using var max = F.MaxPool2d(x, [2, 2]);
        Assert.Equal([5f, 7, 13, 15], max.ToArray<float>());
        using var avg = F.AvgPool2d(x, [2, 2]);
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], avg.ToArray<float>());
        using var rect = F.MaxPool2d(x, [1, 4]);
        Assert.Equal([1L, 1, 4, 1], rect.Shape);
        Assert.Equal([3f, 7, 11, 15], rect.ToArray<float>());
        using var s = Tensor.From([1f, 3, 2, 5], [1, 1, 4]);
        using var max1 = F.MaxPool1d(s, 2);
        Assert.Equal([3f, 5], max1.ToArray<float>());
        using var avg1 = F.AvgPool1d(s, 2);
        Assert.Equal([2f, 3.5f], avg1.ToArray<float>());
        using var amean = F.AdaptiveAvgPool1d(s, 1);
        Assert.Equal([2.75f], amean.ToArray<float>());
        using var amax = F.AdaptiveMaxPool2d(x, [1, 1]);
        Assert.Equal([15f], amax.ToArray<float>());
        using var a2 = F.AdaptiveAvgPool2d(x, [2, 2]);
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], a2.ToArray<float>());
    }

    [Fact]
    public void ActivationsMatchTheirFormulas()
    {
        using var x = Tensor.From([-2f, 0, 1]);
        using var relu = F.Relu(x);
        Assert.Equal([0f, 0, 1], relu.ToArray<float>());
        using var leaky = F.LeakyRelu(x, 0.1);
        AssertClose([-0.2f, 0, 1], leaky.ToArray<float>());
        using var elu = F.Elu(x);
        AssertClose([(float)(Math.Exp(-2) - 1), 0, 1], elu.ToArray<float>());
        // GELU(1) = 1·Φ(1) = 0.8413447; GELU(−2) = −2·Φ(−2) = −0.0455003.
        using var gelu = F.Gelu(x);
        AssertClose([-0.0455003f, 0, 0.8413447f], gelu.ToArray<float>());
        using var sig = F.Sigmoid(x);
        AssertClose([(float)(1 / (1 + Math.Exp(2))), 0.5f, (float)(1 / (1 + Math.Exp(-1)))], sig.ToArray<float>());
        using var tanh = F.Tanh(x);
        AssertClose([(float)Math.Tanh(-2), 0, (float)Math.Tanh(1)], tanh.ToArray<float>());
        double z = Math.Exp(-2) + 1 + Math.E;
        using var sm = F.Softmax(x, 0);
        AssertClose([(float)(Math.Exp(-2) / z), (float)(1 / z), (float)(Math.E / z)], sm.ToArray<float>());
        using var lsm = F.LogSoftmax(x, 0);
        AssertClose([(float)(-2 - Math.Log(z)), (float)-Math.Log(z), (float)(1 - Math.Log(z))], lsm.ToArray<float>());
    }

    [Fact]
    public void AttentionMatchesSoftmaxFormula()
    {
        // One query [1,0] over keys [1,0] and [0,1]: weights softmax([1/√2, 0]) applied to values [1,2] and [3,4].
        using var q = Tensor.From([1f, 0], [1, 1, 2]);
        using var k = Tensor.From([1f, 0, 0, 1], [1, 2, 2]);
        using var v = Tensor.From([1f, 2, 3, 4], [1, 2, 2]);
        using var y = F.ScaledDotProductAttention(q, k, v);
        double w0 = Math.Exp(1 / Math.Sqrt(2)) / (Math.Exp(1 / Math.Sqrt(2)) + 1), w1 = 1 - w0;
        AssertClose([(float)(w0 * 1 + w1 * 3), (float)(w0 * 2 + w1 * 4)], y.ToArray<float>());
        // Causal: the first of two queries sees only the first value.
        using var q2 = Tensor.From([1f, 0, 1, 0], [1, 2, 2]);
        using var causal = F.ScaledDotProductAttention(q2, k, v, isCausal: true);
        var c = causal.ToArray<float>();
        AssertClose([1f, 2], c.AsSpan(0, 2));
        AssertClose([(float)(w0 * 1 + w1 * 3), (float)(w0 * 2 + w1 * 4)], c.AsSpan(2, 2));
    }

    private static double Sigma(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void GruTinyCaseMatchesEquations()
    {
        // Input and hidden size 1; gate rows (r, z, n). Two steps x = 1, 0.5 from h0 = 0.
        double[] wi = [0.5, -0.3, 0.8], wh = [0.2, 0.4, -0.6], bi = [0.1, 0.0, -0.1], bh = [0.0, 0.2, 0.3];
        using var gru = new GRU(1, 1);
        using (TorchRuntime.NoGrad())
        {
            gru.StateDictTensor("weight_ih_l0").CopyFrom(Tensor.From(wi.Select(v => (float)v).ToArray(), [3, 1]));
            gru.StateDictTensor("weight_hh_l0").CopyFrom(Tensor.From(wh.Select(v => (float)v).ToArray(), [3, 1]));
            gru.StateDictTensor("bias_ih_l0").CopyFrom(Tensor.From(bi.Select(v => (float)v).ToArray()));
            gru.StateDictTensor("bias_hh_l0").CopyFrom(Tensor.From(bh.Select(v => (float)v).ToArray()));
        }
        double h = 0;
        var expected = new List<float>();
        foreach (var x in new[] { 1.0, 0.5 })
        {
            double r = Sigma(wi[0] * x + bi[0] + wh[0] * h + bh[0]);
            double zg = Sigma(wi[1] * x + bi[1] + wh[1] * h + bh[1]);
            double n = Math.Tanh(wi[2] * x + bi[2] + r * (wh[2] * h + bh[2]));
            h = (1 - zg) * n + zg * h;
            expected.Add((float)h);
        }
        using var input = Tensor.From([1f, 0.5f], [2, 1, 1]);
        using var result = gru.Forward(input);
        AssertClose(expected.ToArray(), result.Output.ToArray<float>());
        AssertClose([expected[1]], result.HiddenState.ToArray<float>());
        Assert.Null(result.CellState);
    }

    [Fact]
    public void LstmTinyCaseMatchesEquations()
    {
        // Gate rows (i, f, g, o); one step x = 2 from h0 = 0.1, c0 = −0.2.
        double[] wi = [0.5, -0.3, 0.8, 0.1], wh = [0.2, 0.4, -0.6, 0.7];
        using var lstm = new LSTM(1, 1, bias: false);
        using (TorchRuntime.NoGrad())
        {
            lstm.StateDictTensor("weight_ih_l0").CopyFrom(Tensor.From(wi.Select(v => (float)v).ToArray(), [4, 1]));
            lstm.StateDictTensor("weight_hh_l0").CopyFrom(Tensor.From(wh.Select(v => (float)v).ToArray(), [4, 1]));
        }
        double x = 2, h = 0.1, c = -0.2;
        double i = Sigma(wi[0] * x + wh[0] * h), f = Sigma(wi[1] * x + wh[1] * h);
        double g = Math.Tanh(wi[2] * x + wh[2] * h), o = Sigma(wi[3] * x + wh[3] * h);
        double c1 = f * c + i * g, h1 = o * Math.Tanh(c1);
        using var input = Tensor.From([2f], [1, 1, 1]);
        using var h0 = Tensor.From([0.1f], [1, 1, 1]);
        using var c0 = Tensor.From([-0.2f], [1, 1, 1]);
        using var result = lstm.Forward(input, h0, c0);
        AssertClose([(float)h1], result.Output.ToArray<float>());
        AssertClose([(float)c1], result.CellState!.ToArray<float>());
    }

    [Fact]
    public void RecurrentShapesAndPyTorchNames()
    {
        using var gru = new GRU(4, 6, numLayers: 2, bidirectional: true);
        Assert.Equal(
            ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
             "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
             "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
             "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"],
            gru.NamedParameters().Select(p => p.Name));
        Assert.Equal([18L, 12], gru.StateDictTensor("weight_ih_l1").Shape);
        using var x = Tensor.Randn([5, 3, 4]);
        using var y = gru.Forward(x);
        Assert.Equal([5L, 3, 12], y.Output.Shape);
        Assert.Equal([4L, 3, 6], y.HiddenState.Shape);

        using var lstm = new LSTM(4, 6, batchFirst: true);
        using var xb = Tensor.Randn([3, 5, 4]);
        using var z = lstm.Forward(xb);
        Assert.Equal([3L, 5, 6], z.Output.Shape);
        Assert.Equal([1L, 3, 6], z.CellState!.Shape);
        using var bad = Tensor.Randn([3, 5, 7]);
        var e = Assert.Throws<TorchException>(() => lstm.Forward(bad));
        Assert.Contains("input.size(-1) must be equal to input_size", e.Message);
    }
}

internal static class ModuleTestExtensions
{
    public static Tensor StateDictTensor(this Module module, string name) =>
        module.StateDict().Single(kv => kv.Key == name).Value;
}
