using System.Globalization;
using MusicML.Audio;
using MusicML.Core;
using MusicML.Mir;
using MusicML.Mir.Onsets;
using MusicML.Tagging.Corpus;
using MusicML.TestSupport;
using NAudio.Midi;

namespace MusicML.Tagging.Tests;

public class SynthCorpusTests
{
    private static readonly ClipSpecSampler Short = new() { MinSeconds = 8, MaxSeconds = 10 };

    private static (Score Score, byte[] Midi, ClipLabels Labels) Make(int seed, ClipSpecSampler? sampler = null)
    {
        var score = ScoreComposer.Compose((sampler ?? new ClipSpecSampler()).Sample(seed));
        var labels = ClipLabels.From(score, FluidSynthRenderer.LatencySeconds, score.Seconds(score.EndTick) + FluidSynthRenderer.LatencySeconds);
        return (score, MidiScoreWriter.ToBytes(score), labels);
    }

    [Fact]
    public void Expressive_beats_follow_the_midi_tempo_map_and_leave_the_rest_of_the_clip_alone()
    {
        var expressive = new ClipSpecSampler { Expressive = true };
        var shapes = new HashSet<string>();
        int swung = 0;
        for (int seed = 2_000_000; seed < 2_000_040; seed++)
        {
            var (score, bytes, labels) = Make(seed, expressive);
            var timing = score.Spec.Timing!;
            shapes.Add(timing.Shape);
            if (timing.Swing > 0) swung++;
            // The beat labels are the MIDI file's own beat times: integrate its tempo map tick by tick.
            var midi = new MidiFile(new MemoryStream(bytes), false);
            var tempi = Enumerable.Range(0, midi.Tracks).SelectMany(t => midi.Events[t]).OfType<TempoEvent>().OrderBy(e => e.AbsoluteTime).ToList();
            double Seconds(long tick)
            {
                double seconds = 0;
                for (int i = 0; i < tempi.Count && tempi[i].AbsoluteTime < tick; i++)
                {
                    long end = i + 1 < tempi.Count ? Math.Min(tick, tempi[i + 1].AbsoluteTime) : tick;
                    seconds += (end - tempi[i].AbsoluteTime) * tempi[i].MicrosecondsPerQuarterNote / (midi.DeltaTicksPerQuarterNote * 1e6);
                }
                return seconds + labels.RenderOffsetSeconds;
            }
            for (int b = 0; b < labels.Beats.Length; b++) Assert.Equal(Seconds(score.BeatTick(b)), labels.Beats[b], 9);
            // Tempo within the drawn bounds (±8 % ramps, a ritardando of at most 25 %), labelled as the median beat.
            double baseBpm = 60e6 / score.Spec.MicrosecondsPerQuarter;
            Assert.All(timing.MicrosecondsPerBeat, us => Assert.InRange(60e6 / us, baseBpm * 0.74, baseBpm * 1.09));
            Assert.Equal(score.Spec.Tempo, labels.Tempo, 9);
            // The same seed without expressive timing is the same music: parts, drums, key and chords.
            var plain = new ClipSpecSampler().Sample(seed);
            Assert.Equal(plain.Parts, score.Spec.Parts);
            Assert.Equal(plain.Chords, score.Spec.Chords);
            Assert.Equal(plain.Drums, score.Spec.Drums);
        }
        // Forty clips see every tempo shape and some swing (a third swing, so 5–23 of 40 is far inside chance).
        Assert.Equal(4, shapes.Count);
        Assert.InRange(swung, 5, 23);
    }

    [Fact]
    public void SameSeedGivesByteIdenticalMidiAndIdenticalLabels()
    {
        foreach (int seed in new[] { 1_000_000, 1_000_007, 1_234_567 })
        {
            var a = Make(seed);
            var b = Make(seed);
            Assert.Equal(a.Midi, b.Midi);
            Assert.Equal(a.Labels.Onsets, b.Labels.Onsets);
            Assert.Equal(a.Labels.Beats, b.Labels.Beats);
            Assert.Equal(a.Labels.Chords, b.Labels.Chords);
            Assert.Equal(a.Labels.Tags, b.Labels.Tags);
        }
        Assert.NotEqual(Make(1_000_000).Midi, Make(1_000_001).Midi);
    }

    [Fact]
    public void LabelsAgreeWithTheMidiFile()
    {
        for (int seed = 1_000_000; seed < 1_000_060; seed++)
        {
            var (score, bytes, labels) = Make(seed);
            var midi = new MidiFile(new MemoryStream(bytes), false);
            int tpq = midi.DeltaTicksPerQuarterNote;
            var all = Enumerable.Range(0, midi.Tracks).SelectMany(t => midi.Events[t]).ToList();
            int us = all.OfType<TempoEvent>().Single().MicrosecondsPerQuarterNote;
            int bpb = all.OfType<TimeSignatureEvent>().Single().Numerator;
            double Seconds(long tick) => tick * (double)us / (tpq * 1e6) + labels.RenderOffsetSeconds;

            // Tempo exact; beats on the tempo grid; downbeats every bar and a subset of the beats.
            Assert.Equal(60e6 / us, labels.Tempo, 9);
            for (int i = 1; i < labels.Beats.Length; i++) Assert.Equal(us / 1e6, labels.Beats[i] - labels.Beats[i - 1], 9);
            Assert.All(labels.Downbeats, d => Assert.Contains(d, labels.Beats));
            Assert.Equal(labels.Beats.Where((_, i) => i % bpb == 0), labels.Downbeats);

            // Notes as MIDI holds them (NAudio pairs each note-on with its note-off).
            var notes = all.OfType<NoteOnEvent>().Where(n => n.Velocity > 0)
                .Select(n => new ScoreNote(n.AbsoluteTime, n.NoteLength, n.Channel - 1, n.NoteNumber, n.Velocity)).ToList();
            Assert.Equal(score.Notes.Count, notes.Count);
            Assert.All(notes, n => Assert.True(n.Duration > 0));

            // Onsets: every note-on, shifted by the latency, merged within 30 ms.
            var times = notes.Select(n => Seconds(n.Tick)).Order().ToList();
            Assert.Equal(times[0], labels.Onsets[0], 9);
            Assert.All(labels.Onsets, o => Assert.Contains(times, t => Math.Abs(t - o) < 1e-9));
            Assert.All(times, t => Assert.Contains(labels.Onsets, o => t >= o - 1e-9 && t - o < ClipLabels.OnsetMergeSeconds));

            // Chords: the markers are the labels, and every chord tone sounds inside its segment (read from the file).
            var markers = all.OfType<TextEvent>().Where(e => e.MetaEventType == MetaEventType.Marker).OrderBy(e => e.AbsoluteTime).ToList();
            var inner = labels.Chords.Skip(1).Take(labels.Chords.Count - 2).ToList();
            Assert.Equal(inner.Select(c => c.Label), markers.Take(inner.Count).Select(m => m.Text));
            Assert.Equal(inner.Select(c => c.Start), markers.Take(inner.Count).Select(m => Seconds(m.AbsoluteTime)));
            var segments = markers.Zip(markers.Skip(1), (m, next) => (m, next)).Select(p =>
                new ChordSegment(p.m.AbsoluteTime, p.next.AbsoluteTime, score.Chords.Single(c => c.StartTick == p.m.AbsoluteTime).Chord)).ToList();
            Assert.Empty(ClipLabels.CheckChordTones(notes, segments));
            Assert.Equal("N", labels.Chords[0].Label);
            Assert.Equal("N", labels.Chords[^1].Label);
            for (int i = 1; i < labels.Chords.Count; i++) Assert.Equal(labels.Chords[i - 1].End, labels.Chords[i].Start, 9);

            // Tags: the families of the programs played, drums iff channel 10 plays, mode and tempo class.
            var programs = all.OfType<PatchChangeEvent>().Where(p => p.Channel != 10).Select(p => p.Patch);
            var families = programs.Select(p => SynthVocabulary.FamilyOf(p)!.Value).Distinct().Order().Select(SynthVocabulary.Tag);
            bool drums = notes.Any(n => n.IsDrum);
            string[] expected = [.. families, drums ? "drums" : "no-drums", score.Spec.Key.IsMinor ? "minor" : "major", SynthVocabulary.TempoClass(60e6 / us)];
            Assert.Equal(expected, labels.Tags);
            Assert.All(labels.Tags, t => Assert.Contains(t, SynthVocabulary.Tags));
            Assert.Equal(bytes, MidiScoreWriter.ToBytes(score));
        }
    }

    [Fact]
    public void CorpusIsVariedAcrossSeeds()
    {
        var specs = Enumerable.Range(1_000_000, 300).Select(s => new ClipSpecSampler().Sample(s)).ToList();
        Assert.Equal(24, specs.Select(s => s.Key.Label).Distinct().Count());
        Assert.Equal(9, specs.SelectMany(s => s.Parts).Select(p => p.Family).Distinct().Count());
        Assert.True(specs.SelectMany(s => s.Parts).Select(p => p.Program).Distinct().Count() > 50);
        Assert.Equal(SynthVocabulary.DrumKits.Count, specs.Where(s => s.Drums is not null).Select(s => s.Drums!.Kit).Distinct().Count());
        Assert.Superset(new HashSet<string> { "rock", "half-time", "shuffle", "four-on-the-floor", "waltz" },
            specs.Where(s => s.Drums is not null).Select(s => s.Drums!.Groove).ToHashSet());
        Assert.Contains(specs, s => s.Drums is null);
        Assert.Contains(specs, s => s.BeatsPerBar == 3);
        Assert.True(specs.SelectMany(s => s.Parts).Where(p => p.Role == PartRole.Harmony).Select(p => p.Pattern).Distinct().Count() >= 12);
        Assert.All(specs, s => Assert.InRange(s.Tempo, 60, 180));
        Assert.All(specs, s => Assert.Equal(s.Chords[^1].Chord, s.Key.Chord(0, false)));
        Assert.All(specs, s => Assert.Equal(4, Array.IndexOf(s.Key.Scale, s.Chords[^2].Chord.Root)));
        double sevenths = specs.SelectMany(s => s.Chords).Average(c => c.Chord.IsSeventh ? 1.0 : 0.0);
        Assert.InRange(sevenths, 0.15, 0.35);
        var lengths = specs.Select(s => { var sc = ScoreComposer.Compose(s); return sc.Seconds(sc.EndTick); }).ToList();
        Assert.All(lengths, l => Assert.InRange(l, 19.0, 31.5));
    }

    [Fact]
    public void VocabularyFollowsTheGmGroupsAndTheEvalDefinitions()
    {
        Assert.Equal(16, SynthVocabulary.Tags.Count);
        Assert.Equal(Enumerable.Range(0, 8), SynthVocabulary.Programs(InstrumentFamily.Piano));
        Assert.Equal(Enumerable.Range(88, 8), SynthVocabulary.Programs(InstrumentFamily.SynthPad));
        foreach (var (program, family) in new[] { (0, InstrumentFamily.Piano), (17, InstrumentFamily.Organ), (27, InstrumentFamily.Guitar),
                     (33, InstrumentFamily.Bass), (48, InstrumentFamily.Strings), (61, InstrumentFamily.Brass), (71, InstrumentFamily.Reed),
                     (81, InstrumentFamily.SynthLead), (90, InstrumentFamily.SynthPad) })
            Assert.Equal(family, SynthVocabulary.FamilyOf(program));
        Assert.Null(SynthVocabulary.FamilyOf(73)); // flute: no tag names the pipe group
        Assert.Equal("slow", SynthVocabulary.TempoClass(89.99));
        Assert.Equal("medium", SynthVocabulary.TempoClass(90));
        Assert.Equal("medium", SynthVocabulary.TempoClass(129.99));
        Assert.Equal("fast", SynthVocabulary.TempoClass(130));
    }

    [Fact]
    public void ChordsAreSpelledAsTheEvalSetSpellsThem()
    {
        Assert.Equal("C#:dim", new MusicalKey(2, true).Chord(6, false).Label);     // raised leading tone, sharp-named
        Assert.Equal("C#:dim7", new MusicalKey(2, true).Chord(6, true).Label);
        Assert.Equal("A:7", new MusicalKey(2, true).Chord(4, true).Label);          // harmonic-minor V7
        Assert.Equal("F:maj", new MusicalKey(2, true).Chord(2, false).Label);       // natural-minor III
        Assert.Equal("G:dim", new MusicalKey(8, true).Chord(6, false).Label);       // F## respelled
        Assert.Equal("F:dim", new MusicalKey(6, false).Chord(6, false).Label);      // E# respelled
        Assert.Equal("Db:maj", new MusicalKey(5, true).Chord(5, false).Label);
        Assert.Equal("B:hdim7", new MusicalKey(0, false).Chord(6, true).Label);
        Assert.Equal("Eb major", new MusicalKey(3, false).Label);
        Assert.Equal("G# minor", new MusicalKey(8, true).Label);
        Assert.Equal(-3, new MusicalKey(3, false).Fifths);
        Assert.Equal(5, new MusicalKey(8, true).Fifths);
    }

    [SkippableFact]
    public void SeedsAreDisjointFromTheEvaluationSet()
    {
        Skip.IfNot(SharedData.Has("eval", "synth", "manifest.csv"), "../shared/eval/synth is not available");
        var lines = File.ReadAllLines(SharedData.Path("eval", "synth", "manifest.csv"));
        int seedColumn = Array.IndexOf(lines[0].Split(','), "seed");
        var seeds = lines.Skip(1).Select(l => long.Parse(l.Split(',')[seedColumn], CultureInfo.InvariantCulture));
        var defaults = new SynthCorpusOptions();
        Assert.DoesNotContain(seeds, s => s >= defaults.FirstSeed && s < 3_000_000);
    }

    [Fact]
    public void MissingFluidSynthOrSoundFontNamesThePackage()
    {
        var spec = RandomSpec();
        var noProgram = new FluidSynthRenderer { Executable = "/nonexistent/fluidsynth", SoundFont = typeof(SynthCorpusTests).Assembly.Location };
        var e = Assert.Throws<MusicMLException>(() => noProgram.Render("x.mid", "x.wav", spec.Render));
        Assert.Contains("fluidsynth", e.Message);
        Assert.Contains("apt-get install fluidsynth", e.Message);
        var noFont = new FluidSynthRenderer { SoundFont = "/nonexistent/FluidR3_GM.sf2" };
        e = Assert.Throws<MusicMLException>(() => noFont.Render("x.mid", "x.wav", spec.Render));
        Assert.Contains("fluid-soundfont-gm", e.Message);
        Assert.Throws<MusicMLException>(() => new SynthCorpusGenerator(new SynthCorpusOptions { Count = 0 }));
    }

    private static ClipSpec RandomSpec() => Short.Sample(1_000_000);

    private static void SkipWithoutFluidSynth()
    {
        string? why = new FluidSynthRenderer().WhyUnavailable();
        Skip.If(why is not null, why);
    }

    [SkippableFact]
    public void RenderedClipsMatchTheirLabels()
    {
        SkipWithoutFluidSynth();
        string folder = Path.Combine(Path.GetTempPath(), "musicml-synth-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Two clips with percussive parts; legato organ/pad clips (e.g. seed 1_000_022) drop to ~70 % recall, the
            // slow-attack caveat of the evaluation set's README, which the labels (note-on times) deliberately keep.
            var generator = new SynthCorpusGenerator(new SynthCorpusOptions { Count = 2, FirstSeed = 1_000_020, Sampler = Short, Jobs = 2 });
            var rows = generator.Run(folder);
            Assert.Equal(2, rows.Count);
            int found = 0, total = 0, tempoOk = 0;
            foreach (var row in rows)
            {
                var audio = AudioFile.Load(Path.Combine(folder, row.File), sampleRate: null);
                Assert.Equal(22050, audio.SampleRate);
                Assert.Equal(1, audio.ChannelCount);
                Assert.Equal(row.Duration, audio.Duration, 3);
                Assert.InRange(row.Duration, 8, 11);
                var y = audio.Channel(0);
                Assert.InRange(20 * Math.Log10(y.Max(Math.Abs)), -1.1, -0.9);
                var onsets = ReadTimes(folder, row.Id + ".onsets");
                double audible = SynthCorpusGenerator.FirstAudible(y, 22050, -45);
                Assert.InRange(audible - onsets[0], -0.0002, 0.030);
                var detected = OnsetDetector.Detect(y, 22050);
                int hits = onsets.Count(o => detected.Any(d => Math.Abs(d - o) <= 0.05));
                Console.WriteLine($"{row.Id} {string.Join(';', row.Tags)}: {hits}/{onsets.Length}, detected {detected.Length}");
                found += hits;
                total += onsets.Length;
                double tempo = new RhythmAnalyzer().EstimateTempo(RhythmSpectrogram.Compute(y, 22050)).Tempo1;
                if (Math.Abs(tempo / row.Tempo - 1) <= 0.08) tempoOk++;
                Assert.Equal(row.Tempo.ToString("F4", CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(folder, row.Id + ".tempo")).Trim());
            }
            Console.WriteLine($"onsets found {found}/{total}, tempo within 8 % on {tempoOk}/{rows.Count}");
            Assert.True(found >= 0.9 * total, $"onset detector found {found} of {total} labelled onsets within 50 ms");
            Assert.True(tempoOk >= 1, $"the tempo estimate was within 8 % on {tempoOk} of 2 clips");
            Assert.Equal(3, File.ReadAllLines(Path.Combine(folder, "manifest.csv")).Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void FluidSynthLatencyIsTheOneTheLabelsAssume()
    {
        SkipWithoutFluidSynth();
        // Isolated piano notes (fast attack, no reverb or chorus) at times that fall on different phases of FluidSynth's
        // 64-sample blocks; each note's first sample above −45 dBFS minus its MIDI time is the render latency.
        var spec = RandomSpec() with
        {
            Parts = [new PartSpec(PartRole.Harmony, 0, 0, InstrumentFamily.Piano, "block-whole", 100, 0.5, 127, 64, 0, 0)],
            Drums = null, Render = new RenderSpec(0.3, false, false),
        };
        var probe = ScoreComposer.Compose(spec);
        var notes = Enumerable.Range(0, 12).Select(i => new ScoreNote(probe.Ticks(0.5 + 1.0 * i + 0.00037 * i), (int)probe.Ticks(0.2), 0, 60, 100)).ToList();
        var score = new Score(spec, notes[0].Tick, notes, [new ChordSegment(notes[0].Tick, notes[^1].OffTick, spec.Key.Chord(0, false))], notes[^1].OffTick + probe.Ticks(1));
        string folder = Path.Combine(Path.GetTempPath(), "musicml-latency-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            MidiScoreWriter.Write(Path.Combine(folder, "p.mid"), score);
            new FluidSynthRenderer().Render(Path.Combine(folder, "p.mid"), Path.Combine(folder, "p.wav"), spec.Render);
            var y = AudioFile.Load(Path.Combine(folder, "p.wav"), sampleRate: null).Channel(0);
            float peak = y.Max(Math.Abs);
            var latencies = notes.Select(n =>
            {
                int from = (int)((score.Seconds(n.Tick) - 0.02) * 44100);
                double first = SynthCorpusGenerator.FirstAudible(y.AsSpan(from, 44100 / 2).ToArray().Select(v => v / peak * 0.891f).ToArray(), 44100, -45);
                return from / 44100.0 + first - score.Seconds(n.Tick);
            }).ToList();
            Console.WriteLine($"FluidSynth latency: mean {latencies.Average() * 1000:F2} ms, min {latencies.Min() * 1000:F2}, max {latencies.Max() * 1000:F2}");
            // Measured here: 2.2–4.4 ms, mean 3.4 ms with the piano's attack included; one 64-sample block (1.45 ms) of
            // spread, as the evaluation set's README describes. The labels use its 2.4 ms, inside the measured range.
            Assert.All(latencies, l => Assert.InRange(l, 0.0010, 0.0050));
            Assert.InRange(FluidSynthRenderer.LatencySeconds, latencies.Min(), latencies.Max());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double[] ReadTimes(string folder, string file) =>
        File.ReadAllLines(Path.Combine(folder, file)).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
}
