using MusicML.Torch.Interop;
using static MusicML.Torch.Interop.TorchNative;

namespace MusicML.Torch.Modules;

/// <summary>What a recurrent layer returns; disposing it releases all three tensors.</summary>
/// <param name="Output">Every time step of the last layer: (L, N, D·H), or (N, L, D·H) when batch-first.</param>
/// <param name="HiddenState">Final hidden state of every layer and direction: (layers·D, N, H).</param>
/// <param name="CellState">Final LSTM cell state (layers·D, N, H); null for a GRU.</param>
public sealed record RecurrentOutput(Tensor Output, Tensor HiddenState, Tensor? CellState) : IDisposable
{
    /// <summary>Releases the output tensors.</summary>
    public void Dispose()
    {
        Output.Dispose();
        HiddenState.Dispose();
        CellState?.Dispose();
    }
}

/// <summary>
/// Shared machinery of <see cref="GRU"/> and <see cref="LSTM"/>: parameters named as in PyTorch
/// (<c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, <c>…_reverse</c> for the backward
/// direction) and one libtorch call per forward pass over all layers and directions.
/// </summary>
public abstract class RecurrentLayer : Module<Tensor, RecurrentOutput>
{
    private readonly RnnKind _kind;
    private readonly Tensor[] _flatWeights;

    private protected RecurrentLayer(RnnKind kind, int gates, long inputSize, long hiddenSize, long numLayers, bool bias,
        bool batchFirst, double dropout, bool bidirectional)
    {
        Init.RequirePositive(inputSize, "inputSize");
        Init.RequirePositive(hiddenSize, "hiddenSize");
        Init.RequirePositive(numLayers, "numLayers");
        if (!(dropout >= 0 && dropout <= 1)) throw new TorchException($"recurrent dropout must be in [0, 1], got {dropout}");
        _kind = kind;
        (InputSize, HiddenSize, NumLayers, HasBias, BatchFirst, Dropout, Bidirectional) =
            (inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional);
        int directions = bidirectional ? 2 : 1;
        double bound = 1 / Math.Sqrt(hiddenSize);
        var weights = new List<Tensor>();
        for (long layer = 0; layer < numLayers; layer++)
        {
            long layerInput = layer == 0 ? inputSize : hiddenSize * directions;
            for (int direction = 0; direction < directions; direction++)
            {
                string suffix = $"_l{layer}{(direction == 1 ? "_reverse" : "")}";
                weights.Add(RegisterParameter("weight_ih" + suffix, Init.Uniform([gates * hiddenSize, layerInput], bound))!);
                weights.Add(RegisterParameter("weight_hh" + suffix, Init.Uniform([gates * hiddenSize, hiddenSize], bound))!);
                if (bias)
                {
                    weights.Add(RegisterParameter("bias_ih" + suffix, Init.Uniform([gates * hiddenSize], bound))!);
                    weights.Add(RegisterParameter("bias_hh" + suffix, Init.Uniform([gates * hiddenSize], bound))!);
                }
            }
        }
        _flatWeights = [.. weights];
    }

    /// <summary>Features per input time step.</summary>
    public long InputSize { get; }

    /// <summary>Features of the hidden state H.</summary>
    public long HiddenSize { get; }

    /// <summary>Stacked layers.</summary>
    public long NumLayers { get; }

    /// <summary>Whether the layers have biases.</summary>
    public bool HasBias { get; }

    /// <summary>Inputs and outputs are (N, L, features) instead of (L, N, features).</summary>
    public bool BatchFirst { get; }

    /// <summary>Dropout between layers (training mode only).</summary>
    public double Dropout { get; }

    /// <summary>Whether a second set of layers reads the sequence backwards (outputs concatenate both).</summary>
    public bool Bidirectional { get; }

    /// <summary>Runs the layer from zero initial state.</summary>
    /// <param name="input">(L, N, input size), or (N, L, input size) when <see cref="BatchFirst"/>.</param>
    public override RecurrentOutput Forward(Tensor input) => Run(input, null, null);

    private protected unsafe RecurrentOutput Run(Tensor input, Tensor? h0, Tensor? c0)
    {
        if (input.Rank != 3)
            throw new TorchException($"{GetType().Name} expects a 3-D input ({(BatchFirst ? "batch, time" : "time, batch")}, features), got shape [{string.Join(", ", input.Shape)}]");
        if (input.Size(-1) != InputSize)
            throw new TorchException($"input.size(-1) must be equal to input_size. Expected {InputSize}, got {input.Size(-1)}");
        long batch = input.Size(BatchFirst ? 0 : 1);
        long states = NumLayers * (Bidirectional ? 2 : 1);
        Tensor? ownH = null, ownC = null;
        try
        {
            var h = h0 ?? (ownH = Tensor.Zeros([states, batch, HiddenSize], input.DType, input.Device));
            var c = _kind == RnnKind.Lstm ? c0 ?? (ownC = Tensor.Zeros([states, batch, HiddenSize], input.DType, input.Device)) : null;
            Span<IntPtr> raw = _flatWeights.Length <= 64 ? stackalloc IntPtr[_flatWeights.Length] : new IntPtr[_flatWeights.Length];
            using var weights = new TensorHandleArray(_flatWeights, raw);
            TensorHandle output, hN, cN;
            int status;
            fixed (IntPtr* w = raw)
                status = mm_rnn((int)_kind, input.Handle, h.Handle, c?.Handle ?? TensorHandle.Null, w, raw.Length, HasBias ? 1 : 0,
                    NumLayers, Dropout, IsTraining ? 1 : 0, Bidirectional ? 1 : 0, BatchFirst ? 1 : 0, out output, out hN, out cN);
            if (status != 0 || cN.IsInvalid) cN.Dispose();
            if (status != 0)
            {
                output.Dispose();
                hN.Dispose();
                throw LastError();
            }
            return new RecurrentOutput(new Tensor(output), new Tensor(hN), cN.IsClosed ? null : new Tensor(cN));
        }
        finally
        {
            ownH?.Dispose();
            ownC?.Dispose();
        }
    }
}

/// <summary>
/// Gated recurrent unit layers (Cho et al. 2014, "Learning Phrase Representations using RNN Encoder–Decoder"), with
/// PyTorch's equations: r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h′ = (1 − z) ⊙ n + z ⊙ h; gate rows ordered (r, z, n).
/// </summary>
public sealed class GRU : RecurrentLayer
{
    /// <summary>Creates the layers with PyTorch's initialisation U(±1/√hiddenSize).</summary>
    /// <param name="inputSize">Features per input time step.</param>
    /// <param name="hiddenSize">Features of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Learn biases.</param>
    /// <param name="batchFirst">Inputs/outputs are (N, L, features).</param>
    /// <param name="dropout">Dropout between layers in training mode.</param>
    /// <param name="bidirectional">Add a backward-reading direction.</param>
    public GRU(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false)
        : base(RnnKind.Gru, 3, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional) { }

    /// <summary>Runs the layer from initial hidden state <paramref name="h0"/> (layers·directions, N, H).</summary>
    public RecurrentOutput Forward(Tensor input, Tensor h0) => Run(input, h0, null);
}

/// <summary>
/// Long short-term memory layers (Hochreiter &amp; Schmidhuber 1997, "Long Short-Term Memory"), with PyTorch's
/// equations and gate rows ordered (input, forget, cell, output).
/// </summary>
public sealed class LSTM : RecurrentLayer
{
    /// <summary>Creates the layers with PyTorch's initialisation U(±1/√hiddenSize).</summary>
    /// <param name="inputSize">Features per input time step.</param>
    /// <param name="hiddenSize">Features of the hidden state.</param>
    /// <param name="numLayers">Stacked layers.</param>
    /// <param name="bias">Learn biases.</param>
    /// <param name="batchFirst">Inputs/outputs are (N, L, features).</param>
    /// <param name="dropout">Dropout between layers in training mode.</param>
    /// <param name="bidirectional">Add a backward-reading direction.</param>
    public LSTM(long inputSize, long hiddenSize, long numLayers = 1, bool bias = true, bool batchFirst = false,
        double dropout = 0, bool bidirectional = false)
        : base(RnnKind.Lstm, 4, inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional) { }

    /// <summary>Runs the layer from initial hidden and cell states, each (layers·directions, N, H).</summary>
    public RecurrentOutput Forward(Tensor input, Tensor h0, Tensor c0) => Run(input, h0, c0);
}
