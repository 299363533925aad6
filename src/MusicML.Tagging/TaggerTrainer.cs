using MusicML.Core;
using MusicML.Torch;
using MusicML.Torch.Optim;

namespace MusicML.Tagging;

/// <summary>
/// One optimisation step of a tagging network as in Won et al. (2020), "Evaluation of CNN-based Automatic Music Tagging
/// Models": forward in training mode, binary cross-entropy on the logits (multi-label tags), backward, Adam
/// (Kingma &amp; Ba 2015). Intermediate tensors are released before <see cref="Step"/> returns, so memory stays flat
/// over any number of steps.
/// </summary>
public sealed class TaggerTrainer : IDisposable
{
    private readonly TaggerNetwork _network;
    private readonly Adam _optimizer;

    /// <summary>Creates the trainer; the network stays owned by the caller.</summary>
    /// <param name="network">The network to train.</param>
    /// <param name="learningRate">Adam's step size (1e-4 in the original training script).</param>
    /// <param name="weightDecay">Adam's L2 penalty added to the gradient (1e-4 in the original training script).</param>
    public TaggerTrainer(TaggerNetwork network, double learningRate = 1e-4, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(learningRate > 0)) throw new MusicMLException($"learningRate must be positive, got {learningRate}");
        if (!(weightDecay >= 0)) throw new MusicMLException($"weightDecay must be zero or positive, got {weightDecay}");
        _network = network;
        _optimizer = new Adam(network.Parameters(), learningRate, weightDecay: weightDecay);
    }

    /// <summary>
    /// Copies of Adam's moment estimates and step counts (<see cref="Optimizer.StateDict"/>) for a checkpoint; the
    /// caller owns the returned tensors.
    /// </summary>
    public List<KeyValuePair<string, Tensor>> OptimizerState() => _optimizer.StateDict();

    /// <summary>Restores state from <see cref="OptimizerState"/>, so the next step equals the saved trainer's.</summary>
    public void LoadOptimizerState(IReadOnlyDictionary<string, Tensor> state) => _optimizer.LoadStateDict(state);

    /// <summary>Runs one step and returns the mean BCE loss before the update.</summary>
    /// <param name="melDb">dB mel spectrograms (batch, nMels, frames) on the network's device.</param>
    /// <param name="targets">Tag labels in {0, 1} (batch, tags), float32.</param>
    public double Step(Tensor melDb, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(melDb);
        ArgumentNullException.ThrowIfNull(targets);
        _network.Train();
        _optimizer.ZeroGrad();
        using var logits = _network.Forward(melDb);
        if (!logits.Shape.AsSpan().SequenceEqual(targets.Shape))
            throw new MusicMLException($"targets have shape [{string.Join(", ", targets.Shape)}], the network gives [{string.Join(", ", logits.Shape)}]");
        using var loss = Losses.BinaryCrossEntropyWithLogits(logits, targets);
        loss.Backward();
        _optimizer.Step();
        return loss.ToDouble();
    }

    /// <summary>Releases the optimiser state (Adam's moment estimates).</summary>
    public void Dispose() => _optimizer.Dispose();
}
