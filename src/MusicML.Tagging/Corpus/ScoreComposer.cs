using MusicML.Core;

namespace MusicML.Tagging.Corpus;

/// <summary>
/// Turns a <see cref="ClipSpec"/> into notes: bass roots, block/strummed/arpeggiated harmony, an optional melody and
/// pad, and the drum groove with fills and crashes, then humanises velocities (about ±5, at most ±12) and note-on times
/// (uniform ±5 ms). Its randomness comes from a <see cref="Random"/> seeded from the clip's seed, so a spec always
/// gives the same notes. Every chord tone sounds inside each chord segment by construction (block chords hold all
/// tones; arpeggios get at least as many steps as the chord has tones); <see cref="ClipLabels.CheckChordTones"/> verifies it.
/// </summary>
public static class ScoreComposer
{
    /// <summary>The GM drum channel, 0-based.</summary>
    public const int DrumChannel = 9;

    private const int Tpq = Score.TicksPerQuarter;
    private static readonly int[] Toms = [50, 48, 47, 45, 43, 41];

    /// <summary>Composes the notes of <paramref name="spec"/>.</summary>
    /// <exception cref="MusicMLException">The spec has no parts or no chords.</exception>
    public static Score Compose(ClipSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Parts.Count == 0 || spec.Chords.Count == 0) throw new MusicMLException($"Clip {spec.Seed}: a clip needs at least one part and one chord.");
        // A different stream from the sampler's, derived from the same seed, so adding a draw here never changes the spec.
        var random = new Random(unchecked(spec.Seed * 1_000_003 + 17));
        double ticksPerSecond = Tpq * 1e6 / spec.MicrosecondsPerQuarter;
        long start = (long)Math.Round(spec.LeadInSeconds * ticksPerSecond);
        double swing = spec.Timing?.Swing ?? 0;
        long Beat(double beat)
        {
            // Swing delays every off-beat eighth; the beats themselves (and so the labels) stay on the grid.
            double whole = Math.Floor(beat);
            if (swing > 0 && Math.Abs(beat - whole - 0.5) < 1e-9) beat = whole + 0.5 + swing;
            return start + (long)Math.Round(beat * Tpq);
        }

        var notes = new List<ScoreNote>();
        void Add(double beat, double beats, int channel, int pitch, int velocity) =>
            notes.Add(new ScoreNote(Beat(beat), Math.Max(1, (int)Math.Round(beats * Tpq)), channel, Math.Clamp(pitch, 0, 127), velocity));

        var final = spec.Chords[^1];
        var body = spec.Chords.Take(spec.Chords.Count - 1).ToList();
        foreach (var part in spec.Parts)
        {
            switch (part.Role)
            {
                case PartRole.Harmony: Harmony(random, part, body, final, Add); break;
                case PartRole.Bass: Bass(part, body, final, Add, lowRegister: part.Family != InstrumentFamily.Bass); break;
                case PartRole.Melody: Melody(random, spec.Key, spec.BeatsPerBar, part, body, final, Add); break;
                case PartRole.Pad: Pad(random, part, body, final, Add); break;
            }
        }
        if (spec.Drums is { } drums) Drums(random, spec, drums, final.StartBeat, Add);

        // Humanise: velocity about ±5 (at most ±12) around each note's level, note-on jitter uniform within ±5 ms (or
        // the expressive timing's own), and with expressive timing the drums and bass ahead of or behind the grid.
        long jitterMax = (long)Math.Floor((spec.Timing?.JitterSeconds ?? 0.005) * ticksPerSecond);
        long drumOffset = (long)Math.Round((spec.Timing?.DrumOffsetSeconds ?? 0) * ticksPerSecond);
        long bassOffset = (long)Math.Round((spec.Timing?.BassOffsetSeconds ?? 0) * ticksPerSecond);
        int bassChannel = spec.Parts.FirstOrDefault(p => p.Role == PartRole.Bass)?.Channel ?? -1;
        for (int i = 0; i < notes.Count; i++)
        {
            var n = notes[i];
            int velocity = Math.Clamp(n.Velocity + (int)Math.Round(Math.Clamp(random.Gaussian() * 4, -12, 12)), 1, 127);
            long offset = n.IsDrum ? drumOffset : n.Channel == bassChannel ? bassOffset : 0;
            long tick = Math.Max(0, n.Tick + offset + random.NextInt64(-jitterMax, jitterMax + 1));
            notes[i] = n with { Tick = tick, Velocity = velocity };
        }
        SeparateRepeats(notes);
        notes.Sort((a, b) => a.Tick != b.Tick ? a.Tick.CompareTo(b.Tick) : a.Channel != b.Channel ? a.Channel.CompareTo(b.Channel) : a.Pitch.CompareTo(b.Pitch));

        var segments = new List<ChordSegment>();
        foreach (var span in body) segments.Add(new ChordSegment(Beat(span.StartBeat), Beat(span.StartBeat + span.Beats), span.Chord));
        long finalStart = Beat(final.StartBeat);
        long finalEnd = notes.Where(n => !n.IsDrum && n.Tick >= finalStart - jitterMax).Max(n => n.OffTick);
        segments.Add(new ChordSegment(finalStart, finalEnd, final.Chord));
        long lastOff = notes.Max(n => n.OffTick);
        long end = lastOff + (long)Math.Round(spec.TailSeconds * ticksPerSecond);
        return new Score(spec, start, notes, segments, end);
    }

    /// <summary>
    /// Jitter can move a note-on before the previous note of the same pitch on the same channel has ended; MIDI would
    /// then cut the new note short at the old note-off. Each such note is shortened to end one tick before the next starts.
    /// </summary>
    private static void SeparateRepeats(List<ScoreNote> notes)
    {
        var order = Enumerable.Range(0, notes.Count)
            .OrderBy(i => notes[i].Channel).ThenBy(i => notes[i].Pitch).ThenBy(i => notes[i].Tick).ToArray();
        for (int k = 0; k + 1 < order.Length; k++)
        {
            var a = notes[order[k]];
            var b = notes[order[k + 1]];
            if (a.Channel != b.Channel || a.Pitch != b.Pitch) continue;
            if (a.OffTick >= b.Tick) notes[order[k]] = a with { Duration = (int)Math.Max(1, b.Tick - a.Tick - 1) };
        }
    }

    private delegate void NoteSink(double beat, double beats, int channel, int pitch, int velocity);

    /// <summary>The chord's tones placed upwards from <paramref name="floor"/>, starting with inversion <paramref name="inversion"/>.</summary>
    private static int[] Voice(ChordSymbol chord, int floor, int inversion)
    {
        var pcs = chord.PitchClasses;
        var pitches = new int[pcs.Length];
        int previous = floor - 1;
        for (int i = 0; i < pcs.Length; i++)
        {
            int pc = pcs[(i + inversion) % pcs.Length];
            int p = previous + 1;
            while ((p % 12 + 12) % 12 != pc) p++;
            pitches[i] = p;
            previous = p;
        }
        return pitches;
    }

    private static void Block(NoteSink add, PartSpec part, int[] pitches, double beat, double beats, double strumBeats = 0)
    {
        for (int i = 0; i < pitches.Length; i++)
            add(beat + i * strumBeats, Math.Max(beats * part.Articulation - i * strumBeats, 0.05), part.Channel, pitches[i], part.Velocity);
    }

    private static void Harmony(Random random, PartSpec part, List<ChordSpan> body, ChordSpan final, NoteSink add)
    {
        int floor = random.Next(50, 61);
        string[] pattern = part.Pattern.Split('-');
        // A strum spreads the tones by 2–5 % of a beat each, so even a slow strum stays inside its beat.
        double strum = random.Uniform(0.02, 0.05);
        foreach (var span in body)
        {
            var pitches = Voice(span.Chord, floor, random.Next(span.Chord.PitchClasses.Length));
            int n = span.Beats;
            switch (pattern[0])
            {
                case "block" when pattern[1] == "whole": Block(add, part, pitches, span.StartBeat, n); break;
                case "block" when pattern[1] == "halfbar":
                    for (int b = 0; b < n; b += 2) Block(add, part, pitches, span.StartBeat + b, Math.Min(2, n - b));
                    break;
                case "block" when pattern[1] == "beats":
                    for (int b = 0; b < n; b++) Block(add, part, pitches, span.StartBeat + b, 1);
                    break;
                case "block": // offbeats
                    for (int b = 0; b < n; b++) Block(add, part, pitches, span.StartBeat + b + 0.5, 0.5);
                    break;
                case "strum":
                    for (int b = 0; b < n; b++) Block(add, part, b % 2 == 0 ? pitches : pitches.Reverse().ToArray(), span.StartBeat + b, 1, strum);
                    break;
                default: Arpeggio(random, part, pattern[1], pattern[2], pitches, span, add); break;
            }
        }
        Block(add, part, Voice(final.Chord, floor, 0), final.StartBeat, 1);
    }

    private static void Arpeggio(Random random, PartSpec part, string direction, string rate, int[] pitches, ChordSpan span, NoteSink add)
    {
        double step = rate switch { "4" => 1, "8" => 0.5, "16" => 0.25, _ => 1.0 / 3 };
        int steps = (int)Math.Round(span.Beats / step);
        int[] cycle = direction switch
        {
            "down" => pitches.Reverse().ToArray(),
            "updown" => [.. pitches, .. pitches.Skip(1).Take(pitches.Length - 2).Reverse()],
            _ => pitches,
        };
        int[] order = [.. cycle];
        for (int s = 0; s < steps; s++)
        {
            // The random style shuffles each full cycle, so every tone still sounds in the first cycle of the segment.
            if (direction == "random" && s % order.Length == 0) order = cycle.OrderBy(_ => random.Next()).ToArray();
            add(span.StartBeat + s * step, step * part.Articulation, part.Channel, order[s % order.Length], part.Velocity);
        }
    }

    private static void Bass(PartSpec part, List<ChordSpan> body, ChordSpan final, NoteSink add, bool lowRegister)
    {
        // Bass-family instruments sit at E1–D#2; a harmony instrument doubling the bass plays an octave higher.
        int Root(ChordSymbol c) => lowRegister ? 36 + c.Root : 28 + (c.Root - 4 + 12) % 12;
        foreach (var span in body)
        {
            int root = Root(span.Chord);
            int fifth = root + ((span.Chord.PitchClasses[2] - span.Chord.Root + 12) % 12);
            int n = span.Beats;
            double[] positions = part.Pattern switch
            {
                "whole" => [0],
                "beats" or "root-fifth" => Enumerable.Range(0, n).Select(b => (double)b).ToArray(),
                "eighths" or "octaves" => Enumerable.Range(0, 2 * n).Select(b => b / 2.0).ToArray(),
                _ => new double[] { 0, 1.5, 2, 3.5 }.Where(p => p < n).ToArray(), // syncopated
            };
            for (int i = 0; i < positions.Length; i++)
            {
                double next = i + 1 < positions.Length ? positions[i + 1] : n;
                int pitch = part.Pattern switch
                {
                    "octaves" => i % 2 == 0 ? root : root + 12,
                    "root-fifth" => i % 2 == 0 ? root : fifth,
                    _ => root,
                };
                add(span.StartBeat + positions[i], (next - positions[i]) * part.Articulation, part.Channel, pitch, part.Velocity);
            }
        }
        add(final.StartBeat, part.Articulation, part.Channel, Root(final.Chord), part.Velocity);
    }

    private static void Melody(Random random, MusicalKey key, int beatsPerBar, PartSpec part, List<ChordSpan> body, ChordSpan final, NoteSink add)
    {
        int pitch = 72 + key.Tonic % 12;
        int Nearest(IEnumerable<int> pcs, int around) =>
            Enumerable.Range(around - 7, 15).Where(p => pcs.Contains(p % 12)).OrderBy(p => Math.Abs(p - around)).ThenBy(p => p).First();
        foreach (var span in body)
        {
            var chordPcs = span.Chord.PitchClasses;
            // Over V and vii° in minor the melody takes the raised leading tone, as the chord does.
            var scale = key.Scale;
            if (key.IsMinor && chordPcs.Contains((key.Tonic + 11) % 12)) scale[6] = (key.Tonic + 11) % 12;
            var positions = new List<double>();
            for (int b = 0; b < span.Beats; b++)
            {
                bool eighths = part.Pattern == "melody-eighths" || (part.Pattern == "melody-mixed" && random.Chance(0.4));
                positions.Add(b);
                if (eighths) positions.Add(b + 0.5);
            }
            for (int i = 0; i < positions.Count; i++)
            {
                double at = positions[i];
                int beatInBar = (span.StartBeat + (int)at) % beatsPerBar;
                bool strong = at == Math.Floor(at) && (beatInBar == 0 || (beatsPerBar == 4 && beatInBar == 2));
                if (!strong && random.Chance(0.12)) continue; // a rest now and then, never on a strong beat
                if (strong) pitch = Nearest(chordPcs, pitch + random.Next(-3, 4));
                else
                {
                    int degree = Array.IndexOf(scale, (Nearest(scale, pitch) % 12 + 12) % 12);
                    int move = random.Pick([-2, -1, -1, 1, 1, 2]);
                    pitch = Nearest([scale[((degree + move) % 7 + 7) % 7]], pitch + Math.Sign(move) * 2);
                }
                // Keep the line in G4–C6 so it stays above the harmony.
                while (pitch < 67) pitch += 12;
                while (pitch > 84) pitch -= 12;
                double next = i + 1 < positions.Count ? positions[i + 1] : span.Beats;
                add(span.StartBeat + at, (next - at) * part.Articulation, part.Channel, pitch, part.Velocity);
            }
        }
        int tonic = Nearest([key.Tonic], pitch);
        while (tonic < 67) tonic += 12;
        while (tonic > 84) tonic -= 12;
        add(final.StartBeat, part.Articulation, part.Channel, tonic, part.Velocity);
    }

    private static void Pad(Random random, PartSpec part, List<ChordSpan> body, ChordSpan final, NoteSink add)
    {
        int floor = random.Next(57, 66);
        double hold = Math.Max(part.Articulation, 0.9);
        foreach (var span in body)
            foreach (int p in Voice(span.Chord, floor, 0)) add(span.StartBeat, span.Beats * hold, part.Channel, p, part.Velocity);
        foreach (int p in Voice(final.Chord, floor, 0)) add(final.StartBeat, hold, part.Channel, p, part.Velocity);
    }

    private static void Drums(Random random, ClipSpec spec, DrumSpec drums, int finalBeat, NoteSink add)
    {
        int bpb = spec.BeatsPerBar;
        const double hit = 0.25;
        void Hit(double beat, int note, double level) => add(beat, hit, DrumChannel, note, (int)Math.Clamp(drums.Velocity * level, 1, 127));
        bool crashNext = true;
        for (int bar = 0; bar < spec.Bars; bar++)
        {
            double b0 = bar * bpb;
            bool fill = (bar + 1) % drums.FillEvery == 0 || bar == spec.Bars - 1;
            int fillBeats = fill ? random.Pick([1, 1, 2]) : 0;
            double fillFrom = bpb - fillBeats;
            var hits = new List<(double At, int Note, double Level)>();
            switch (drums.Groove)
            {
                case "rock" when bpb == 4:
                    hits.AddRange([(0, 36, 1.0), (2, 36, 0.95), (1, 38, 1.0), (3, 38, 1.0)]);
                    if (random.Chance(0.3)) hits.Add((2.5, 36, 0.8));
                    for (int e = 0; e < 8; e++) hits.Add((e / 2.0, drums.Timekeeper, e % 2 == 0 ? 0.8 : 0.6));
                    break;
                case "rock": // 3/4, as the evaluation set: kick on 1, snare on 2 and 3
                    hits.AddRange([(0, 36, 1.0), (1, 38, 0.95), (2, 38, 0.95)]);
                    for (int e = 0; e < 6; e++) hits.Add((e / 2.0, drums.Timekeeper, e % 2 == 0 ? 0.8 : 0.6));
                    break;
                case "half-time":
                    hits.AddRange([(0, 36, 1.0), (2, 38, 1.0)]);
                    if (random.Chance(0.5)) hits.Add((1.5, 36, 0.8));
                    for (int e = 0; e < 8; e++) hits.Add((e / 2.0, drums.Timekeeper, e % 2 == 0 ? 0.75 : 0.55));
                    break;
                case "shuffle":
                    hits.Add((0, 36, 1.0));
                    if (bpb == 4) hits.AddRange([(2, 36, 0.95), (1, 38, 1.0), (3, 38, 1.0)]);
                    else hits.AddRange([(1, 38, 0.9), (2, 38, 0.9)]);
                    for (int b = 0; b < bpb; b++) hits.AddRange([(b, drums.Timekeeper, 0.8), (b + 2.0 / 3, drums.Timekeeper, 0.55)]);
                    break;
                case "four-on-the-floor":
                    for (int b = 0; b < 4; b++) hits.AddRange([(b, 36, 1.0), (b, 42, 0.6), (b + 0.5, 46, 0.7)]);
                    hits.AddRange([(1, random.Chance(0.5) ? 39 : 38, 0.9), (3, 38, 0.9)]);
                    break;
                default: // waltz
                    hits.AddRange([(0, 36, 1.0), (1, 38, 0.6), (2, 38, 0.6)]);
                    for (int b = 0; b < 3; b++) hits.Add((b, drums.Timekeeper, 0.7));
                    break;
            }
            foreach (var (at, note, level) in hits)
                if (at < fillFrom) Hit(b0 + at, note, level);
            if (fill)
            {
                // Sixteenths from snare down the toms: the fill that ends a phrase.
                int count = fillBeats * 4;
                for (int s = 0; s < count; s++)
                    Hit(b0 + fillFrom + s * 0.25, s < count / 2 && random.Chance(0.5) ? 38 : Toms[s * Toms.Length / count], 0.7 + 0.3 * s / count);
            }
            if (crashNext) Hit(b0, random.Chance(0.7) ? 49 : 57, 0.9);
            crashNext = fill && random.Chance(0.5);
        }
        Hit(finalBeat, 36, 1.0);
        Hit(finalBeat, random.Chance(0.7) ? 49 : 57, 1.0);
    }
}
