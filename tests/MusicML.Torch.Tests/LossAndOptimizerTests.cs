using MusicML.Torch;
using MusicML.Torch.Optim;

namespace MusicML.Torch.Tests;

public class LossAndOptimizerTests
{
    private static double Sigma(double x) => 1 / (1 + Math.Exp(-x));

    [Fact]
    public void BinaryCrossEntropyWithLogitsMatchesFormula()
    {
        // −[y log σ(x) + (1 − y) log(1 − σ(x))] for x = (0.5, −1, 3), y = (1, 0, 0.25), averaged.
        double[] x = [0.5, -1, 3], y = [1, 0, 0.25];
        var terms = x.Select((v, i) => -(y[i] * Math.Log(Sigma(v)) + (1 - y[i]) * Math.Log(1 - Sigma(v)))).ToArray();
        using var logits = Tensor.From(x.Select(v => (float)v).ToArray());
        using var target = Tensor.From(y.Select(v => (float)v).ToArray());
        using var mean = Losses.BinaryCrossEntropyWithLogits(logits, target);
        Assert.Equal(terms.Average(), mean.ToDouble(), 5);
        using var none = Losses.BinaryCrossEntropyWithLogits(logits, target, reduction: Reduction.None);
        var each = none.ToArray<float>();
        for (int i = 0; i < 3; i++) Assert.Equal(terms[i], each[i], 5);
        // pos_weight p multiplies the positive term: −[p·y log σ(x) + (1 − y) log(1 − σ(x))].
        using var pw = Tensor.From([2f]);
        using var weighted = Losses.BinaryCrossEntropyWithLogits(logits, target, posWeight: pw, reduction: Reduction.Sum);
        double expected = x.Select((v, i) => -(2 * y[i] * Math.Log(Sigma(v)) + (1 - y[i]) * Math.Log(1 - Sigma(v)))).Sum();
        Assert.Equal(expected, weighted.ToDouble(), 5);
    }

    [Fact]
    public void CrossEntropyMatchesLogSoftmax()
    {
        // Row [1,2,3] with class 2: log(e + e² + e³) − 3; row [0,0,0] with class 0: log 3.
        using var logits = Tensor.From([1f, 2, 3, 0, 0, 0], [2, 3]);
        using var target = Tensor.From([2L, 0]);
        using var loss = Losses.CrossEntropy(logits, target);
        double first = Math.Log(Math.E + Math.Exp(2) + Math.Exp(3)) - 3, second = Math.Log(3);
        Assert.Equal((first + second) / 2, loss.ToDouble(), 5);
        using var withIgnored = Tensor.From([2L, -100]);
        using var ignored = Losses.CrossEntropy(logits, withIgnored, reduction: Reduction.Sum);
        Assert.Equal(first, ignored.ToDouble(), 5);
        using var badTarget = Tensor.From([5L, 0]);
        Assert.Throws<TorchException>(() => Losses.CrossEntropy(logits, badTarget));
    }

    [Fact]
    public void MseTripletAndCosineMatchFormulas()
    {
        using var a = Tensor.From([1f, 2, 3]);
        using var b = Tensor.From([2f, 0, 3]);
        using var mse = Losses.MseLoss(a, b);
        Assert.Equal((1 + 4 + 0) / 3.0, mse.ToDouble(), 6);

        // d(a, p) = ‖a − p + ε‖ with ε = 1e-6 (PyTorch's pairwise_distance): a = 0, p = (3, 4), n = (1, 0), margin 1.
        using var anchor = Tensor.From([0f, 0], [1, 2]);
        using var positive = Tensor.From([3f, 4], [1, 2]);
        using var negative = Tensor.From([1f, 0], [1, 2]);
        double dap = Math.Sqrt(Math.Pow(-3 + 1e-6, 2) + Math.Pow(-4 + 1e-6, 2));
        double dan = Math.Sqrt(Math.Pow(-1 + 1e-6, 2) + Math.Pow(1e-6, 2));
        using var triplet = Losses.TripletMarginLoss(anchor, positive, negative, margin: 1);
        Assert.Equal(Math.Max(dap - dan + 1, 0), triplet.ToDouble(), 5);

        // cos((1,0), (1,1)) = 1/√2: y = 1 gives 1 − cos, y = −1 gives max(0, cos − margin).
        using var x1 = Tensor.From([1f, 0, 1, 0], [2, 2]);
        using var x2 = Tensor.From([1f, 1, 1, 1], [2, 2]);
        using var y = Tensor.From([1f, -1]);
        using var cosine = Losses.CosineEmbeddingLoss(x1, x2, y, reduction: Reduction.None);
        var c = cosine.ToArray<float>();
        Assert.Equal(1 - 1 / Math.Sqrt(2), c[0], 5);
        Assert.Equal(1 / Math.Sqrt(2), c[1], 5);
    }

    private static Tensor LinearLossGrad(Tensor p, float[] c)
    {
        // loss = Σ cᵢ pᵢ has gradient c, so each step's gradient is known exactly.
        using var scope = TorchRuntime.NewDisposeScope();
        using var coefficients = Tensor.From(c);
        var loss = (p * coefficients).Sum();
        loss.Backward();
        return p;
    }

    [Fact]
    public void SgdStepsFollowTheFormulas()
    {
        float[] c = [0.5f, -1f];
        float[] start = [1f, 2f];
        // Plain: p − η g.
        using (var p = Tensor.From(start).RequiresGrad_())
        using (var sgd = new SGD([p], lr: 0.1))
        {
            LinearLossGrad(p, c);
            sgd.Step();
            Assert.Equal([1 - 0.05f, 2 + 0.1f], p.ToArray<float>());
        }
        // Momentum μ = 0.9 with weight decay λ = 0.01, two steps: g = c + λp; b₁ = g₁; b₂ = μb₁ + g₂.
        using (var p = Tensor.From(start).RequiresGrad_())
        using (var sgd = new SGD([p], lr: 0.1, momentum: 0.9, weightDecay: 0.01))
        {
            double[] q = [start[0], start[1]], b = [0, 0];
            for (int step = 0; step < 2; step++)
            {
                sgd.ZeroGrad();
                LinearLossGrad(p, c);
                sgd.Step();
                for (int i = 0; i < 2; i++)
                {
                    double g = c[i] + 0.01 * q[i];
                    b[i] = step == 0 ? g : 0.9 * b[i] + g;
                    q[i] -= 0.1 * b[i];
                }
            }
            var got = p.ToArray<float>();
            Assert.Equal(q[0], got[0], 5);
            Assert.Equal(q[1], got[1], 5);
        }
        // Nesterov: the update uses g + μb.
        using (var p = Tensor.From(start).RequiresGrad_())
        using (var sgd = new SGD([p], lr: 0.1, momentum: 0.9, nesterov: true))
        {
            double[] q = [start[0], start[1]], b = [0, 0];
            for (int step = 0; step < 2; step++)
            {
                sgd.ZeroGrad();
                LinearLossGrad(p, c);
                sgd.Step();
                for (int i = 0; i < 2; i++)
                {
                    b[i] = step == 0 ? c[i] : 0.9 * b[i] + c[i];
                    q[i] -= 0.1 * (c[i] + 0.9 * b[i]);
                }
            }
            var got = p.ToArray<float>();
            Assert.Equal(q[0], got[0], 5);
            Assert.Equal(q[1], got[1], 5);
        }
        using var any = Tensor.Zeros([1]).RequiresGrad_();
        Assert.Throws<TorchException>(() => new SGD([any], lr: 0.1, nesterov: true));
        Assert.Throws<TorchException>(() => new SGD([any], lr: double.NaN));
    }

    private static double[] AdamReference(double[] start, double[] grad, int steps, double lr, double wd, bool decoupled)
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var p = (double[])start.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        for (int t = 1; t <= steps; t++)
        {
            for (int i = 0; i < p.Length; i++)
            {
                double g = grad[i];
                if (decoupled) p[i] *= 1 - lr * wd; else g += wd * p[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t)), vHat = v[i] / (1 - Math.Pow(b2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        return p;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AdamAndAdamWFollowTheFormulas(bool decoupled)
    {
        float[] c = [0.5f, -2f];
        double[] start = [1, 2];
        using var p = Tensor.From(start.Select(v => (float)v).ToArray()).RequiresGrad_();
        using Optimizer opt = decoupled ? new AdamW([p], lr: 0.01, weightDecay: 0.1) : new Adam([p], lr: 0.01, weightDecay: 0.1);
        for (int step = 0; step < 3; step++)
        {
            opt.ZeroGrad();
            LinearLossGrad(p, c);
            opt.Step();
        }
        var expected = AdamReference(start, [c[0], c[1]], 3, 0.01, 0.1, decoupled);
        var got = p.ToArray<float>();
        Assert.Equal(expected[0], got[0], 5);
        Assert.Equal(expected[1], got[1], 5);
    }

    [Theory]
    [InlineData("adam")]
    [InlineData("adamw-amsgrad")]
    [InlineData("sgd-momentum")]
    public void StateDictRestoresTheNextStepExactly(string kind)
    {
        // Two optimisers over equal parameters: after copying the first's state (and values) into the second, both
        // take bit-identical steps — what a training checkpoint relies on to resume an uninterrupted run.
        float[] c = [0.5f, -2f, 3f];
        Optimizer Make(Tensor p) => kind switch
        {
            "adam" => new Adam([p], lr: 0.01, weightDecay: 0.1),
            "adamw-amsgrad" => new AdamW([p], lr: 0.01, amsgrad: true),
            _ => new SGD([p], lr: 0.1, momentum: 0.9),
        };
        using var a = Tensor.From(new float[] { 1, 2, 3 }).RequiresGrad_();
        using var b = Tensor.From(new float[] { 9, 9, 9 }).RequiresGrad_();
        using var first = Make(a);
        using var second = Make(b);
        Assert.Empty(first.StateDict());
        for (int step = 0; step < 3; step++)
        {
            first.ZeroGrad();
            LinearLossGrad(a, c);
            first.Step();
        }
        var state = first.StateDict();
        Assert.Contains(state, kv => kv.Key == (kind == "sgd-momentum" ? "state.0.momentum_buffer" : "state.0.exp_avg"));
        if (kind != "sgd-momentum") Assert.Equal(3.0, state.Single(kv => kv.Key == "state.0.step").Value.ToDouble());
        using (TorchRuntime.NoGrad()) b.CopyFrom(a);
        second.LoadStateDict(state.ToDictionary(kv => kv.Key, kv => kv.Value));
        foreach (var (_, t) in state) t.Dispose();
        for (int step = 0; step < 2; step++)
        {
            first.ZeroGrad();
            LinearLossGrad(a, c);
            first.Step();
            second.ZeroGrad();
            LinearLossGrad(b, c);
            second.Step();
        }
        Assert.Equal(a.ToArray<float>(), b.ToArray<float>());
        using var wrong = Tensor.Zeros([2]);
        Assert.Throws<TorchException>(() => second.LoadStateDict(new Dictionary<string, Tensor> { ["state.0.bogus"] = wrong }));
    }

    [Fact]
    public void SchedulersSetTheLearningRate()
    {
        using var p = Tensor.From([0f]).RequiresGrad_();
        using var sgd = new SGD([p], lr: 1.0);
        var step = new StepLR(sgd, stepSize: 2, gamma: 0.5);
        var seen = new List<double>();
        for (int epoch = 0; epoch < 5; epoch++)
        {
            step.Step();
            seen.Add(sgd.LearningRate);
        }
        Assert.Equal([1.0, 0.5, 0.5, 0.25, 0.25], seen);
        // The new rate is the one the native optimiser applies: gradient 1 moves p by −0.25.
        LinearLossGrad(p, [1f]);
        sgd.Step();
        Assert.Equal(-0.25f, p.ToArray<float>()[0]);

        using var sgd2 = new SGD([p], lr: 1.0);
        var cosine = new CosineAnnealingLR(sgd2, tMax: 4);
        var lrs = new List<double>();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            cosine.Step();
            lrs.Add(sgd2.LearningRate);
        }
        // (1 + cos(πt/4))/2 for t = 1..4.
        double[] expected = [0.8535534, 0.5, 0.1464466, 0];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], lrs[i], 6);
    }

    [Fact]
    public void GradientClippingScalesByTheJointNorm()
    {
        // Gradients (3) and (4): joint 2-norm 5, clipped to 1 → (0.6) and (0.8).
        using var a = Tensor.From([0f]).RequiresGrad_();
        using var b = Tensor.From([0f]).RequiresGrad_();
        LinearLossGrad(a, [3f]);
        LinearLossGrad(b, [4f]);
        double norm = GradientClipping.ClipNorm([a, b], maxNorm: 1);
        Assert.Equal(5, norm, 5);
        using (var ga = a.Grad!) Assert.Equal(0.6f, ga.ToArray<float>()[0], 5);
        using (var gb = b.Grad!) Assert.Equal(0.8f, gb.ToArray<float>()[0], 5);
        GradientClipping.ClipValue([a, b], 0.7);
        using (var gb = b.Grad!) Assert.Equal(0.7f, gb.ToArray<float>()[0], 6);
        using (var ga = a.Grad!) Assert.Equal(0.6f, ga.ToArray<float>()[0], 6);
    }
}
