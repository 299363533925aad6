using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MusicML.Audio;
using MusicML.Core;

namespace MusicML.Tagging.Corpus;

/// <summary>Settings of a corpus run.</summary>
public sealed record SynthCorpusOptions
{
    /// <summary>
    /// First seed. Clip <c>i</c> uses seed <c>FirstSeed + i</c>. The default 1,000,000 keeps the corpus clear of the
    /// evaluation set's 40 seeds, none of which lies in 1,000,000–3,000,000 (its smallest is 11,854,084); the seeds
    /// also feed a different generator, so even an equal seed would not give the same clip.
    /// </summary>
    public int FirstSeed { get; init; } = 1_000_000;

    /// <summary>Number of clips.</summary>
    public int Count { get; init; } = 400;

    /// <summary>Clip lengths, drawn per clip.</summary>
    public ClipSpecSampler Sampler { get; init; } = new();

    /// <summary>Clips rendered at the same time (each runs one FluidSynth process).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>The renderer.</summary>
    public FluidSynthRenderer Renderer { get; init; } = new();

    /// <summary>Output rate of the WAVs (the evaluation set's 22050 Hz).</summary>
    public int SampleRate { get; init; } = 22050;

    /// <summary>Peak level after normalisation, dBFS.</summary>
    public double PeakDbfs { get; init; } = -1.0;

    /// <summary>Validates every setting, naming the bad ones.</summary>
    /// <exception cref="MusicMLException">A bad count, seed range, job count, rate or level.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (Count < 1) errors.Add($"Count must be at least 1; got {Count}.");
        if (FirstSeed < 0 || (long)FirstSeed + Count - 1 > int.MaxValue) errors.Add($"Seeds FirstSeed..FirstSeed+Count-1 must lie in 0..{int.MaxValue}; got {FirstSeed}+{Count}.");
        if (Jobs is < 1 or > 256) errors.Add($"Jobs must lie in 1..256; got {Jobs}.");
        if (SampleRate is < 8000 or > 48000) errors.Add($"SampleRate must lie in 8000..48000; got {SampleRate}.");
        if (!(PeakDbfs <= 0 && PeakDbfs >= -40)) errors.Add($"PeakDbfs must lie in -40..0; got {PeakDbfs}.");
        if (errors.Count > 0) throw new MusicMLException(string.Join(" ", errors));
        Sampler.Validate();
    }
}

/// <summary>One row of <c>manifest.csv</c>: <c>id,file,duration,tempo,key,meter,tags,seed</c>.</summary>
/// <param name="Id">Clip id (file basename).</param>
/// <param name="File">The WAV's file name.</param>
/// <param name="Duration">Length in seconds.</param>
/// <param name="Tempo">Tempo in BPM.</param>
/// <param name="Key">Key label.</param>
/// <param name="Meter">Meter, e.g. <c>3/4</c>.</param>
/// <param name="Tags">Tags (joined with <c>;</c> in the file).</param>
/// <param name="Seed">The clip's seed.</param>
public sealed record ManifestRow(string Id, string File, double Duration, double Tempo, string Key, string Meter, IReadOnlyList<string> Tags, int Seed);

/// <summary>What happened to one clip of a run.</summary>
/// <param name="Index">Clip index.</param>
/// <param name="Id">Clip id.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Skipped">True when the clip was already complete and was left alone.</param>
/// <param name="Error">Why it failed, or null.</param>
public sealed record ClipOutcome(int Index, string Id, int Seed, bool Skipped, Exception? Error);

/// <summary>
/// Generates the synthetic training corpus clip by clip: <see cref="ClipSpecSampler"/> → <see cref="ScoreComposer"/>
/// → <see cref="MidiScoreWriter"/> → <see cref="FluidSynthRenderer"/> → MusicML.Audio (resample to 22050 Hz mono,
/// peak-normalise, <see cref="WavWriter"/>) → <see cref="ClipLabels"/>. Every file is written atomically and the
/// clip's <c>.json</c> last, so a clip with its <c>.json</c> is complete and a rerun after a kill skips it.
/// </summary>
public sealed class SynthCorpusGenerator
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Creates a generator; the options are validated here.</summary>
    /// <exception cref="MusicMLException">Invalid options.</exception>
    public SynthCorpusGenerator(SynthCorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The run's settings.</summary>
    public SynthCorpusOptions Options { get; }

    /// <summary>The id of clip <paramref name="index"/>, e.g. <c>train_00042</c>.</summary>
    public static string ClipId(int index) => $"train_{index:D5}";

    /// <summary>The seed of clip <paramref name="index"/>.</summary>
    public int SeedOf(int index) => Options.FirstSeed + index;

    /// <summary>The score of clip <paramref name="index"/> (no rendering): what the MIDI file and labels are made from.</summary>
    public Score Compose(int index) => ScoreComposer.Compose(Options.Sampler.Sample(SeedOf(index)));

    /// <summary>The manifest row of clip <paramref name="index"/> when all its files are in <paramref name="folder"/> and its seed matches; otherwise null.</summary>
    public ManifestRow? TryLoadComplete(string folder, int index)
    {
        string id = ClipId(index);
        string json = Path.Combine(folder, id + ".json");
        if (!File.Exists(json)) return null;
        string[] files = [id + ".wav", id + ".mid", .. ClipLabels.Extensions.Select(e => id + e)];
        if (files.Any(f => !File.Exists(Path.Combine(folder, f)))) return null;
        try
        {
            var record = JsonSerializer.Deserialize<ClipRecord>(File.ReadAllText(json), Json);
            // A clip made with the other timing setting is not this corpus's clip.
            if (record is null || record.Seed != SeedOf(index) || (record.Timing is not null) != Options.Sampler.Expressive) return null;
            return new ManifestRow(record.Id, record.File, record.Duration, record.Tempo, record.Key, record.Meter, record.Tags, record.Seed);
        }
        catch (JsonException)
        {
            return null; // a damaged record is regenerated like a missing one
        }
    }

    /// <summary>Generates clip <paramref name="index"/> into <paramref name="folder"/>, replacing whatever is there.</summary>
    /// <exception cref="MusicMLException">Rendering failed, the render is silent, or a label check failed.</exception>
    public ManifestRow GenerateClip(string folder, int index)
    {
        Directory.CreateDirectory(folder);
        string id = ClipId(index);
        var score = Compose(index);
        var spec = score.Spec;
        var mismatches = ClipLabels.CheckChordTones(score.Notes, score.Chords);
        if (mismatches.Count > 0)
            throw new MusicMLException($"{id} (seed {spec.Seed}): chord tones missing from their segments: {string.Join("; ", mismatches.Take(3))}");

        string midi = Path.Combine(folder, id + ".mid");
        MidiScoreWriter.Write(midi, score);
        string work = Path.Combine(folder, ".work");
        Directory.CreateDirectory(work);
        string raw = Path.Combine(work, $"{id}.{Environment.ProcessId}.44k.wav");
        float[] samples;
        try
        {
            Options.Renderer.Render(midi, raw, spec.Render);
            samples = AudioFile.Load(raw, Options.SampleRate, mono: true).Channel(0);
        }
        finally
        {
            File.Delete(raw);
        }

        // The file ends where the score does (last note-off plus the release tail), whatever FluidSynth appended.
        double duration = score.Seconds(score.EndTick) + FluidSynthRenderer.LatencySeconds;
        int frames = (int)Math.Round(duration * Options.SampleRate);
        Array.Resize(ref samples, frames);
        double peak = samples.Max(s => Math.Abs(s));
        if (!(peak > 1e-6)) throw new MusicMLException($"{id} (seed {spec.Seed}): FluidSynth rendered silence.");
        float scale = (float)(Math.Pow(10, Options.PeakDbfs / 20) / peak);
        for (int i = 0; i < samples.Length; i++) samples[i] *= scale;
        duration = (double)frames / Options.SampleRate;

        var labels = ClipLabels.From(score, FluidSynthRenderer.LatencySeconds, duration);
        double audible = FirstAudible(samples, Options.SampleRate, -45);
        // Sound well before the first annotated onset means the timing is wrong (the check of the evaluation set's README).
        if (audible < labels.Onsets[0] - 0.005)
            throw new MusicMLException($"{id} (seed {spec.Seed}): audio starts at {audible:F4} s, before the first onset {labels.Onsets[0]:F4} s.");
        WavWriter.Write(Path.Combine(folder, id + ".wav"), new AudioBuffer(samples, Options.SampleRate));
        labels.Write(folder, id);

        var record = new ClipRecord
        {
            Id = id, Seed = spec.Seed, File = id + ".wav", Duration = Math.Round(duration, 6), Tempo = Math.Round(spec.Tempo, 4),
            TempoUsPerBeat = spec.MicrosecondsPerQuarter, Meter = spec.Meter, Key = spec.Key.Label, Bars = spec.Bars,
            MusicStart = Math.Round(labels.Beats[0], 6), RenderOffsetS = FluidSynthRenderer.LatencySeconds,
            FirstNoteOnset = Math.Round(labels.Onsets[0], 6), FirstAudible = Math.Round(audible, 6),
            NOnsets = labels.Onsets.Length, NBeats = labels.Beats.Length, Parts = spec.Parts, Drums = spec.Drums, Render = spec.Render, Timing = spec.Timing,
            Tags = [.. spec.Tags],
        };
        AtomicFile.WriteAllText(Path.Combine(folder, id + ".json"), JsonSerializer.Serialize(record, Json) + "\n");
        return new ManifestRow(id, record.File, record.Duration, record.Tempo, record.Key, record.Meter, record.Tags, record.Seed);
    }

    /// <summary>
    /// Generates every clip not already complete in <paramref name="folder"/> (<see cref="SynthCorpusOptions.Jobs"/> at a
    /// time), reporting each to <paramref name="onClip"/>; a failed clip is reported and skipped. Writes
    /// <c>manifest.csv</c> over the complete clips at the end.
    /// </summary>
    /// <returns>The manifest rows, in clip order.</returns>
    public IReadOnlyList<ManifestRow> Run(string folder, Action<ClipOutcome>? onClip = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(folder);
        var rows = new ManifestRow?[Options.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.Jobs, CancellationToken = cancellation };
        Parallel.For(0, Options.Count, parallel, index =>
        {
            string id = ClipId(index);
            if (TryLoadComplete(folder, index) is { } done)
            {
                rows[index] = done;
                onClip?.Invoke(new ClipOutcome(index, id, SeedOf(index), true, null));
                return;
            }
            try
            {
                rows[index] = GenerateClip(folder, index);
                onClip?.Invoke(new ClipOutcome(index, id, SeedOf(index), false, null));
            }
            catch (Exception e) when (e is MusicMLException or IOException or UnauthorizedAccessException)
            {
                onClip?.Invoke(new ClipOutcome(index, id, SeedOf(index), false, e));
            }
        });
        var complete = rows.Where(r => r is not null).Select(r => r!).ToList();
        WriteManifest(Path.Combine(folder, "manifest.csv"), complete);
        try
        {
            Directory.Delete(Path.Combine(folder, ".work"));
        }
        catch (IOException)
        {
            // another run still renders into it
        }
        return complete;
    }

    /// <summary>Writes <paramref name="rows"/> as <c>manifest.csv</c> (<c>id,file,duration,tempo,key,meter,tags,seed</c>) atomically.</summary>
    public static void WriteManifest(string path, IEnumerable<ManifestRow> rows)
    {
        var text = new StringBuilder("id,file,duration,tempo,key,meter,tags,seed\n");
        foreach (var r in rows)
            text.Append(CultureInfo.InvariantCulture, $"{r.Id},{r.File},{r.Duration:F3},{r.Tempo:F4},{r.Key},{r.Meter},{string.Join(';', r.Tags)},{r.Seed}\n");
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Time in seconds of the first sample whose magnitude exceeds <paramref name="dbfs"/>, or +∞ when none does.</summary>
    public static double FirstAudible(ReadOnlySpan<float> samples, int sampleRate, double dbfs)
    {
        float threshold = (float)Math.Pow(10, dbfs / 20);
        for (int i = 0; i < samples.Length; i++)
            if (Math.Abs(samples[i]) > threshold) return (double)i / sampleRate;
        return double.PositiveInfinity;
    }

    /// <summary>The clip's full parameters, written as <c>ID.json</c>.</summary>
    private sealed record ClipRecord
    {
        public string Id { get; init; } = "";
        public int Seed { get; init; }
        public string File { get; init; } = "";
        public double Duration { get; init; }
        public double Tempo { get; init; }
        public int TempoUsPerBeat { get; init; }
        public string Meter { get; init; } = "";
        public string Key { get; init; } = "";
        public int Bars { get; init; }
        public double MusicStart { get; init; }
        public double RenderOffsetS { get; init; }
        public double FirstNoteOnset { get; init; }
        public double FirstAudible { get; init; }
        public int NOnsets { get; init; }
        public int NBeats { get; init; }
        public IReadOnlyList<PartSpec> Parts { get; init; } = [];
        public DrumSpec? Drums { get; init; }
        public RenderSpec? Render { get; init; }
        public TimingSpec? Timing { get; init; }
        public IReadOnlyList<string> Tags { get; init; } = [];
    }
}
