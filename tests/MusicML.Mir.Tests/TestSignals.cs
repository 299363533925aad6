namespace MusicML.Mir.Tests;

/// <summary>Signals with known rhythm, built in the test so that the expected answer is exact.</summary>
internal static class TestSignals
{
    public const int SampleRate = 22050;

    /// <summary>Beat times of a steady tempo starting at <paramref name="start"/> seconds.</summary>
    public static double[] Grid(double bpm, double start, double duration)
    {
        var times = new List<double>();
        for (double t = start; t < duration - 0.2; t += 60.0 / bpm) times.Add(t);
        return [.. times];
    }

    /// <summary>Adds a decaying tone burst (exp decay of <paramref name="decay"/> s) at each time.</summary>
    public static void AddBursts(float[] y, IEnumerable<double> times, double frequency, double amplitude, double decay = 0.05)
    {
        foreach (var time in times)
        {
            int start = (int)Math.Round(time * SampleRate);
            int length = (int)(decay * 6 * SampleRate);
            for (int i = 0; i < length && start + i < y.Length; i++)
            {
                double t = (double)i / SampleRate;
                y[start + i] += (float)(amplitude * Math.Exp(-t / decay) * Math.Sin(2 * Math.PI * frequency * t));
            }
        }
    }

    /// <summary>Adds white-noise clicks (5 ms, decaying) at each time — a hi-hat-like broadband onset.</summary>
    public static void AddClicks(float[] y, IEnumerable<double> times, double amplitude, int seed = 1)
    {
        var random = new Random(seed);
        foreach (var time in times)
        {
            int start = (int)Math.Round(time * SampleRate);
            int length = (int)(0.03 * SampleRate);
            for (int i = 0; i < length && start + i < y.Length; i++)
                y[start + i] += (float)(amplitude * Math.Exp(-i / (0.005 * SampleRate)) * (2 * random.NextDouble() - 1));
        }
    }

    /// <summary>
    /// A drum-and-chords loop in <paramref name="beatsPerBar"/>: a low kick burst on every downbeat, noise clicks on
    /// every beat, and a sustained triad that changes at every bar line (C, F, G, A minor, ...).
    /// </summary>
    public static (float[] Audio, double[] Beats, double[] Downbeats) Bars(double bpm, int beatsPerBar, double duration, double start = 0.5)
    {
        var y = new float[(int)(duration * SampleRate)];
        var beats = Grid(bpm, start, duration);
        var downbeats = beats.Where((_, i) => i % beatsPerBar == 0).ToArray();
        AddBursts(y, downbeats, 60, 0.5, decay: 0.08);
        AddClicks(y, beats, 0.15);
        double[][] chords = [[261.63, 329.63, 392.0], [349.23, 440.0, 523.25], [392.0, 493.88, 587.33], [220.0, 261.63, 329.63]];
        double barLength = beatsPerBar * 60.0 / bpm;
        for (int bar = 0; bar < downbeats.Length; bar++)
        {
            int s0 = (int)(downbeats[bar] * SampleRate), s1 = Math.Min(y.Length, (int)((downbeats[bar] + barLength) * SampleRate));
            foreach (var f in chords[bar % chords.Length])
                for (int i = s0; i < s1; i++)
                {
                    double t = (double)(i - s0) / SampleRate;
                    y[i] += (float)(0.05 * Math.Min(1, t / 0.01) * Math.Sin(2 * Math.PI * f * t));
                }
        }
        return (y, beats, downbeats);
    }
}
