namespace MusicML.Mir.Tests;

/// <summary>Constructed test signals: harmonic tones and chord sequences with exactly known pitches and times.</summary>
internal static class ToneSynth
{
    public const int SampleRate = 22050;

    public static double MidiToHz(double note) => 440 * Math.Pow(2, (note - 69) / 12.0);

    /// <summary>Adds a tone of <paramref name="partials"/> harmonics (amplitude 1/h) from start to end seconds.</summary>
    public static void AddTone(float[] audio, double frequency, double start, double end, float amplitude = 0.2f, int partials = 5)
    {
        int first = (int)(start * SampleRate), last = Math.Min(audio.Length, (int)(end * SampleRate));
        for (int h = 1; h <= partials; h++)
        {
            double f = frequency * h;
            if (f >= SampleRate / 2.0) break;
            for (int i = first; i < last; i++)
            {
                double t = (i - first) / (double)SampleRate;
                double fade = Math.Min(1, Math.Min(t, (last - i) / (double)SampleRate) / 0.01); // 10 ms ramps, no clicks
                audio[i] += (float)(amplitude / h * fade * Math.Sin(2 * Math.PI * f * t));
            }
        }
    }

    /// <summary>
    /// Renders chords given as (root pitch class, intervals) for <paramref name="secondsEach"/> each after
    /// <paramref name="leadIn"/> seconds of silence: the root in octave 2 as bass, the chord tones from C4 up.
    /// </summary>
    public static float[] Chords(IReadOnlyList<(int Root, int[] Intervals)> chords, double secondsEach, double leadIn = 0, double tail = 0)
    {
        var audio = new float[(int)((leadIn + chords.Count * secondsEach + tail) * SampleRate)];
        for (int c = 0; c < chords.Count; c++)
        {
            double start = leadIn + c * secondsEach, end = start + secondsEach;
            var (root, intervals) = chords[c];
            AddTone(audio, MidiToHz(36 + root), start, end, 0.25f);
            foreach (var interval in intervals) AddTone(audio, MidiToHz(60 + root + interval), start, end, 0.15f);
        }
        return audio;
    }
}
