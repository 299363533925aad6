namespace MusicML.Mir.Tempo;

/// <summary>
/// A tempo estimate in MIREX form: the main tempo <see cref="Tempo1"/>, a second candidate <see cref="Tempo2"/>, and
/// the relative strength <see cref="Strength"/> of the first (S of "T1 T2 S", in [0, 1]).
/// </summary>
/// <param name="Tempo1">Main tempo in BPM.</param>
/// <param name="Tempo2">Second candidate in BPM (a different metrical level or the next-strongest periodicity).</param>
/// <param name="Strength">Salience of Tempo1 relative to both: s₁ / (s₁ + s₂).</param>
public readonly record struct TempoEstimate(double Tempo1, double Tempo2, double Strength);
