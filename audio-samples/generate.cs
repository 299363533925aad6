#:project ../src/MusicML.Audio/MusicML.Audio.csproj
#:property PublishAot=false
// Generates the clips in audio-samples/ and their exact ground truth (see README.md). Run from the repository root:
//     dotnet run audio-samples/generate.cs
// Everything is deterministic (a fixed-seed noise generator), so running it again reproduces the files bit for bit.

using System.Globalization;
using MusicML.Audio;

const double LeadIn = 0.5; // seconds of digital silence before the first note, as in ../shared/eval/synth
var outputDirectory = Path.GetFullPath(args.Length > 0 ? args[0] : "audio-samples");
Directory.CreateDirectory(outputDirectory);

DrumsAndBass();
ChordProgression();
PluckedMelody();
Band();
Console.WriteLine($"wrote the clips and their annotations to {outputDirectory}");

// 120 BPM 4/4: kick on 1 and 3, snare on 2 and 4, closed hats on eighths, a bass line on every beat; 5 bars and a
// final hit on the downbeat of bar 6.
void DrumsAndBass()
{
    const double tempo = 120, beat = 60 / tempo;
    var clip = new Clip(outputDirectory, LeadIn + 21 * beat + 1.0);
    double[] bassLine = [Midi(45), Midi(45), Midi(48), Midi(43)]; // A2 A2 C3 G2
    for (int b = 0; b < 20; b++)
    {
        double t = LeadIn + b * beat;
        if (b % 2 == 0) clip.Kick(t); else clip.Snare(t);
        clip.Hat(t);
        clip.Hat(t + beat / 2);
        clip.Bass(t, bassLine[b % 4], 0.8 * beat);
        clip.Onset(t);
        clip.Onset(t + beat / 2);
    }
    double end = LeadIn + 20 * beat;
    clip.Kick(end);
    clip.Bass(end, Midi(45), 2 * beat);
    clip.Onset(end);
    clip.Beats(LeadIn, beat, 21, beatsPerBar: 4);
    clip.Save("drums_bass_120bpm", tempo, key: null, chords: null, notes: null);
}

// I-IV-V-I twice in C major at 150 BPM: additive-synth block chords on every beat, the root in the bass on beats 1 and 3.
void ChordProgression()
{
    const double tempo = 150, beat = 60 / tempo, bar = 4 * beat;
    (string Label, int[] Notes, int Bass)[] progression =
    [
        ("C:maj", [60, 64, 67], 48), ("F:maj", [60, 65, 69], 41), ("G:maj", [59, 62, 67], 43), ("C:maj", [60, 64, 67], 48),
    ];
    var clip = new Clip(outputDirectory, LeadIn + 8 * bar + 1.0);
    var chords = new List<(double, double, string)>();
    for (int b = 0; b < 8; b++)
    {
        var (label, notes, bass) = progression[b % 4];
        double start = LeadIn + b * bar;
        chords.Add((start, start + bar, label));
        for (int k = 0; k < 4; k++)
        {
            double t = start + k * beat;
            foreach (var n in notes) clip.Keys(t, Midi(n), 0.9 * beat, 0.16);
            if (k % 2 == 0) clip.Bass(t, Midi(bass), 1.8 * beat);
            clip.Onset(t);
        }
    }
    clip.Beats(LeadIn, beat, 32, beatsPerBar: 4);
    clip.Save("chords_C_major_150bpm", tempo, "C major", chords, notes: null);
}

// A plucked melody in G major at 100 BPM, eighth to half notes; every note's onset, offset and pitch are annotated.
void PluckedMelody()
{
    const double tempo = 100, eighth = 60 / tempo / 2;
    // (MIDI note, length in eighths): four bars of 8 eighths.
    (int Note, int Eighths)[] melody =
    [
        (67, 2), (71, 1), (74, 1), (79, 2), (78, 1), (76, 1),
        (74, 2), (71, 2), (72, 1), (69, 1), (66, 2),
        (67, 1), (69, 1), (71, 1), (72, 1), (74, 2), (76, 1), (78, 1),
        (79, 2), (74, 1), (71, 1), (67, 4),
    ];
    var clip = new Clip(outputDirectory, LeadIn + 32 * eighth + 1.2);
    var notes = new List<(double, double, double)>();
    double t = LeadIn;
    foreach (var (note, eighths) in melody)
    {
        double duration = eighths * eighth;
        clip.Pluck(t, Midi(note), duration, 0.5);
        notes.Add((t, t + duration, Midi(note)));
        clip.Onset(t);
        t += duration;
    }
    clip.Beats(LeadIn, 2 * eighth, 16, beatsPerBar: 4);
    clip.Save("melody_G_major_100bpm", tempo, "G major", chords: null, notes);
}

// A small band in A minor at 100 BPM: drums, bass, keys playing i-iv-V7-i (the V7's G# makes the key unambiguous),
// a plucked line on top, and a one-beat final i hit on the downbeat of bar 5.
void Band()
{
    const double tempo = 100, beat = 60 / tempo, bar = 4 * beat;
    (string Label, int[] Notes, int Bass)[] progression =
    [
        ("A:min", [57, 60, 64], 45), ("D:min", [57, 62, 65], 38), ("E:7", [56, 59, 62, 64], 40), ("A:min", [57, 60, 64], 45),
    ];
    int[][] line = [[72, 71, 69, 71], [74, 72, 69, 65], [68, 71, 74, 76], [72, 71, 69, 64]];
    var clip = new Clip(outputDirectory, LeadIn + 4 * bar + beat + 1.5);
    var chords = new List<(double, double, string)>();
    for (int b = 0; b < 4; b++)
    {
        var (label, notes, bass) = progression[b];
        double start = LeadIn + b * bar;
        chords.Add((start, start + bar, label));
        for (int k = 0; k < 4; k++)
        {
            double t = start + k * beat;
            if (k % 2 == 0) clip.Kick(t); else clip.Snare(t);
            clip.Hat(t);
            clip.Hat(t + beat / 2);
            clip.Bass(t, Midi(bass + (k == 3 ? 7 : 0)), 0.8 * beat);
            if (k % 2 == 0) foreach (var n in notes) clip.Keys(t, Midi(n), 1.8 * beat, 0.09);
            clip.Pluck(t, Midi(line[b][k]), beat, 0.3);
            clip.Onset(t);
            clip.Onset(t + beat / 2);
        }
    }
    double end = LeadIn + 4 * bar;
    chords.Add((end, end + beat, "A:min"));
    clip.Kick(end);
    clip.Bass(end, Midi(45), beat);
    foreach (var n in progression[0].Notes) clip.Keys(end, Midi(n), beat, 0.09);
    clip.Pluck(end, Midi(69), beat, 0.3);
    clip.Onset(end);
    clip.Beats(LeadIn, beat, 17, beatsPerBar: 4);
    clip.Save("band_A_minor_100bpm", tempo, "A minor", chords, notes: null);
}

static double Midi(int note) => 440 * Math.Pow(2, (note - 69) / 12.0);

/// <summary>A mono mix being built, with its annotations.</summary>
sealed class Clip(string directory, double seconds)
{
    private const int Rate = 22050;
    private readonly double[] _mix = new double[(int)Math.Round(seconds * Rate)];
    private readonly SortedSet<double> _onsets = [];
    private readonly List<double> _beats = [];
    private readonly List<double> _downbeats = [];
    private ulong _noise = 0x9E3779B97F4A7C15UL;

    public void Onset(double t) => _onsets.Add(Math.Round(t, 6));

    public void Beats(double first, double period, int count, int beatsPerBar)
    {
        for (int k = 0; k < count; k++)
        {
            _beats.Add(first + k * period);
            if (k % beatsPerBar == 0) _downbeats.Add(first + k * period);
        }
    }

    /// <summary>Bass drum: a sine gliding from 150 Hz to 50 Hz with a 150 ms decay.</summary>
    public void Kick(double t)
    {
        double phase = 0;
        Render(t, 0.5, (_, s) =>
        {
            double f = 50 + 100 * Math.Exp(-s / 0.03);
            phase += 2 * Math.PI * f / Rate;
            return 0.9 * Math.Sin(phase) * Math.Exp(-s / 0.15);
        });
    }

    /// <summary>Snare: white noise with an 80 ms decay over a 180 Hz body.</summary>
    public void Snare(double t) =>
        Render(t, 0.35, (_, s) => 0.45 * Noise() * Math.Exp(-s / 0.08) + 0.4 * Math.Sin(2 * Math.PI * 180 * s) * Math.Exp(-s / 0.05));

    /// <summary>Closed hi-hat: differentiated (high-passed) noise with a 20 ms decay.</summary>
    public void Hat(double t)
    {
        double previous = 0;
        Render(t, 0.12, (_, s) =>
        {
            double n = Noise(), v = n - previous;
            previous = n;
            return 0.12 * v * Math.Exp(-s / 0.02);
        });
    }

    /// <summary>Bass: six harmonics at 1/k, 5 ms attack, 0.5 s decay, 50 ms release after <paramref name="duration"/>.</summary>
    public void Bass(double t, double f, double duration) =>
        Tone(t, f, duration, 0.35, harmonics: 6, rolloff: 1.0, decay: 0.5, release: 0.05);

    /// <summary>Keys: an additive tone with 1/k^1.5 harmonics and a piano-like 1.2 s decay.</summary>
    public void Keys(double t, double f, double duration, double amplitude) =>
        Tone(t, f, duration, amplitude, harmonics: 6, rolloff: 1.5, decay: 1.2, release: 0.08);

    /// <summary>Pluck: 1/k² harmonics whose higher partials die faster, like a plucked string.</summary>
    public void Pluck(double t, double f, double duration, double amplitude)
    {
        int harmonics = Math.Max(1, Math.Min(10, (int)(Rate / 2 / f) - 1));
        Render(t, duration + 0.08, (_, s) =>
        {
            double v = 0;
            for (int k = 1; k <= harmonics; k++) v += Math.Sin(2 * Math.PI * k * f * s) / (k * k) * Math.Exp(-s * (1.5 + 1.2 * k));
            return amplitude * v * Envelope(s, duration, attack: 0.002, release: 0.08);
        });
    }

    private void Tone(double t, double f, double duration, double amplitude, int harmonics, double rolloff, double decay, double release)
    {
        int count = Math.Max(1, Math.Min(harmonics, (int)(Rate / 2 / f) - 1));
        Render(t, duration + release, (_, s) =>
        {
            double v = 0;
            for (int k = 1; k <= count; k++) v += Math.Sin(2 * Math.PI * k * f * s) / Math.Pow(k, rolloff);
            return amplitude * v * Math.Exp(-s / decay) * Envelope(s, duration, attack: 0.005, release: release);
        });
    }

    private static double Envelope(double s, double duration, double attack, double release) =>
        s < attack ? s / attack : s < duration ? 1 : Math.Max(0, 1 - (s - duration) / release);

    private void Render(double t, double length, Func<int, double, double> sample)
    {
        int start = (int)Math.Round(t * Rate, MidpointRounding.ToEven);
        int count = (int)Math.Round(length * Rate);
        for (int i = 0; i < count && start + i < _mix.Length; i++) _mix[start + i] += sample(i, (double)i / Rate);
    }

    private double Noise()
    {
        // xorshift64*: reproducible noise without System.Random's implementation-defined sequence.
        _noise ^= _noise >> 12;
        _noise ^= _noise << 25;
        _noise ^= _noise >> 27;
        return ((_noise * 0x2545F4914F6CDD1DUL) >> 11) * (2.0 / (1UL << 53)) - 1;
    }

    public void Save(string name, double tempo, string? key, List<(double Start, double End, string Label)>? chords,
        List<(double Onset, double Offset, double Hz)>? notes)
    {
        double peak = _mix.Max(Math.Abs);
        double gain = Math.Pow(10, -1.0 / 20) / peak; // peak-normalised to -1 dBFS, like ../shared/eval/synth
        var samples = _mix.Select(v => (float)(v * gain)).ToArray();
        var basePath = Path.Combine(directory, name);
        WavWriter.Write(basePath + ".wav", new AudioBuffer(samples, Rate), WavSampleFormat.Pcm16);
        string F(double v) => v.ToString("F6", CultureInfo.InvariantCulture);
        File.WriteAllLines(basePath + ".onsets", _onsets.Select(F));
        File.WriteAllLines(basePath + ".beats", _beats.Select(F));
        File.WriteAllLines(basePath + ".downbeats", _downbeats.Select(F));
        File.WriteAllText(basePath + ".tempo", tempo.ToString(CultureInfo.InvariantCulture) + "\n");
        if (key is not null) File.WriteAllText(basePath + ".key", key + "\n");
        if (chords is not null)
        {
            double duration = (double)_mix.Length / Rate;
            var lines = new List<string> { $"{F(0)} {F(chords[0].Start)} N" };
            lines.AddRange(chords.Select(c => $"{F(c.Start)} {F(c.End)} {c.Label}"));
            lines.Add($"{F(chords[^1].End)} {F(duration)} N");
            File.WriteAllLines(basePath + ".chords.lab", lines);
        }
        if (notes is not null) File.WriteAllLines(basePath + ".notes", notes.Select(n => $"{F(n.Onset)} {F(n.Offset)} {n.Hz.ToString("F4", CultureInfo.InvariantCulture)}"));
    }
}
