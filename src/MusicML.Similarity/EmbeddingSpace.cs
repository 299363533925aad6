using MusicML.Core;

namespace MusicML.Similarity;

/// <summary>
/// What the vectors of a store or index are, so that only comparable vectors are ever compared: the embedding kind
/// (<see cref="TaggerKind"/> or <see cref="FeaturesKind"/>), the model that made them (name as given and the SHA-256
/// of its weights, or the summary feature set), their dimension, and for standardised summary features the
/// per-dimension mean and scale fixed when the store was created (later tracks and queries are standardised with
/// the same statistics, so appending never moves existing vectors).
/// </summary>
/// <param name="Kind"><see cref="TaggerKind"/> or <see cref="FeaturesKind"/>.</param>
/// <param name="Model">The tagger as the user named it (bundled name or path), or the summary feature set id.</param>
/// <param name="ModelSha256">SHA-256 of the tagger's weights (lowercase hex); empty for summary features.</param>
/// <param name="Dimension">Floats per vector.</param>
/// <param name="Mean">Summary features: the mean subtracted before scaling (length <paramref name="Dimension"/>); otherwise empty.</param>
/// <param name="Scale">Summary features: the divisor per dimension (standard deviation, 1 where it is 0); otherwise empty.</param>
public sealed record EmbeddingSpace(string Kind, string Model, string ModelSha256, int Dimension, double[] Mean, double[] Scale)
{
    /// <summary>Penultimate-layer activations of a tagger, pooled over the track's chunks.</summary>
    public const string TaggerKind = "tagger";

    /// <summary>Standardised per-track summary features (<c>musicml.summary/1</c>).</summary>
    public const string FeaturesKind = "features";

    /// <summary>The space of a tagger's embeddings: the model as named and its weights' SHA-256, <paramref name="dimension"/> floats, no statistics.</summary>
    public static EmbeddingSpace OfTagger(string model, string modelSha256, int dimension) => new(TaggerKind, model, modelSha256, dimension, [], []);

    /// <summary>
    /// Refuses to compare vectors of <paramref name="other"/> with this space's: another kind, another model (by
    /// hash for taggers) or another dimension.
    /// </summary>
    /// <param name="other">The space of the query or of the vectors to add.</param>
    /// <param name="what">What this space belongs to, for the message (e.g. the index path).</param>
    /// <exception cref="MusicMLException">The spaces differ; the message says how.</exception>
    public void RequireCompatible(EmbeddingSpace other, string what)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Kind != Kind)
            throw new MusicMLException($"{what} holds {Kind} embeddings ({Model}), not {other.Kind} embeddings ({other.Model}); use --embedding {Kind}");
        if (Kind == TaggerKind && other.ModelSha256 != ModelSha256)
            throw new MusicMLException(
                $"{what} holds embeddings of model {Model} (weights {Short(ModelSha256)}), not of {other.Model} (weights {Short(other.ModelSha256)}); use --model {Model}");
        if (Kind == FeaturesKind && other.Model != Model)
            throw new MusicMLException($"{what} holds {Model} summary features, not {other.Model}");
        if (other.Dimension != Dimension)
            throw new MusicMLException($"{what} holds {Dimension}-dimensional embeddings, not {other.Dimension}-dimensional");
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "…" : sha;

    /// <summary>Checks the fields (positive dimension, statistics of the right length and finite, known kind).</summary>
    /// <exception cref="MusicMLException">A field is invalid.</exception>
    public EmbeddingSpace Validated(string where)
    {
        if (Kind is not (TaggerKind or FeaturesKind)) throw new MusicMLException($"{where}: unknown embedding kind '{Kind}' (expected {TaggerKind} or {FeaturesKind})");
        if (Dimension <= 0) throw new MusicMLException($"{where}: the embedding dimension must be positive, got {Dimension}");
        if (Kind == FeaturesKind && (Mean.Length != Dimension || Scale.Length != Dimension))
            throw new MusicMLException($"{where}: summary-feature statistics have {Mean.Length}/{Scale.Length} values, the dimension is {Dimension}");
        if (Mean.Any(v => !double.IsFinite(v)) || Scale.Any(v => !double.IsFinite(v) || v <= 0))
            throw new MusicMLException($"{where}: summary-feature statistics hold non-finite values or non-positive scales");
        return this;
    }

    /// <summary>Value equality that compares the statistics element by element (records compare arrays by reference).</summary>
    public bool Equals(EmbeddingSpace? other) =>
        other is not null && Kind == other.Kind && Model == other.Model && ModelSha256 == other.ModelSha256 &&
        Dimension == other.Dimension && Mean.AsSpan().SequenceEqual(other.Mean) && Scale.AsSpan().SequenceEqual(other.Scale);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Model, ModelSha256, Dimension);
}
