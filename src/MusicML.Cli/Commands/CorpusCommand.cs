using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MusicML.Cli.Infrastructure;
using MusicML.Tagging.Corpus;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml corpus synth --out DIR --count N [--seed S] [--seconds 20-30] [--jobs J]</c>: generates the synthetic
/// training corpus for MusicML's tagger (MIDI with exact labels, rendered by FluidSynth) with
/// <see cref="SynthCorpusGenerator"/>. Clip <c>i</c> has seed <c>S + i</c>; clips already complete in DIR are
/// skipped, so a killed run resumes; a failed clip is reported and skipped (exit code 1 at the end).
/// </summary>
internal static class CorpusCommand
{
    /// <summary>Builds the <c>corpus</c> command group.</summary>
    public static Command Create(CliContext context)
    {
        var command = new Command("corpus", "Generate training corpora.");
        command.Subcommands.Add(CreateSynth(context));
        return command;
    }

    private static Command CreateSynth(CliContext context)
    {
        var output = new Option<string>("--out") { Description = "Folder for the clips and manifest.csv (created if missing; keep it outside git).", Required = true };
        var count = new Option<int>("--count") { Description = "Number of clips.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the first clip; clip i uses seed+i (default 1000000, disjoint from the evaluation set).", DefaultValueFactory = _ => 1_000_000 };
        var seconds = new Option<string>("--seconds") { Description = "Clip length in seconds, MIN-MAX or one value (default 20-30).", DefaultValueFactory = _ => "20-30" };
        var jobs = WorkersOption.Create("Clips rendered at once (default: the number of CPU cores).", Environment.ProcessorCount);
        var fluidsynth = new Option<string>("--fluidsynth") { Description = "The fluidsynth program (default: fluidsynth on PATH).", DefaultValueFactory = _ => "fluidsynth" };
        var soundfont = new Option<string>("--soundfont") { Description = $"The General MIDI soundfont (default {FluidSynthRenderer.DefaultSoundFont}).", DefaultValueFactory = _ => FluidSynthRenderer.DefaultSoundFont };
        var expressive = new Option<bool>("--expressive")
        {
            Description = "Expressive timing, for training rhythm models: tempo curves (drift, ramps, rubato, ritardando), swing, looser timing, laid-back drums and bass; the labels follow the tempo curve.",
        };
        var command = new Command("synth", "Render synthetic clips (MIDI + FluidSynth) with exact onsets, beats, downbeats, tempo, key, chords and tags, in the evaluation set's formats.")
        {
            output, count, seed, seconds, jobs, fluidsynth, soundfont, expressive,
        };
        command.SetAction(parse => Synth(context, parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(seed), parse.GetValue(seconds)!,
            parse.GetValue(jobs), parse.GetValue(fluidsynth)!, parse.GetValue(soundfont)!, parse.GetValue(expressive)));
        return command;
    }

    private static (double Min, double Max) ParseSeconds(string text)
    {
        var parts = text.Split('-');
        bool ok = parts.Length is 1 or 2;
        var values = new double[parts.Length];
        for (int i = 0; ok && i < parts.Length; i++)
            ok = double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) && double.IsFinite(values[i]);
        if (!ok || values[0] < 4 || values[^1] < values[0] || values[^1] > 600)
            throw new CliUsageException($"--seconds {text}: give MIN-MAX or one length in seconds, between 4 and 600.");
        return (values[0], values[^1]);
    }

    private static int Synth(CliContext context, string folder, int count, int seed, string secondsText, int jobs, string fluidsynth, string soundfont,
        bool expressive)
    {
        if (count < 1) throw new CliUsageException($"--count {count}: at least 1 clip.");
        WorkersOption.Check(jobs);
        if (seed < 0 || (long)seed + count - 1 > int.MaxValue) throw new CliUsageException($"--seed {seed}: seeds seed..seed+count-1 must lie in 0..{int.MaxValue}.");
        var (min, max) = ParseSeconds(secondsText);
        var renderer = new FluidSynthRenderer { Executable = fluidsynth, SoundFont = soundfont };
        if (renderer.WhyUnavailable() is { } why) throw new Core.MusicMLException($"corpus synth: {why}.");
        var generator = new SynthCorpusGenerator(new SynthCorpusOptions
        {
            Count = count, FirstSeed = seed, Jobs = jobs, Renderer = renderer, Sampler = new ClipSpecSampler { MinSeconds = min, MaxSeconds = max, Expressive = expressive },
        });
        int skipped = 0, made = 0;
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ManifestRow> rows;
        using (var progress = new ProgressReporter(context, count, "clips"))
        {
            rows = generator.Run(folder, outcome =>
            {
                if (outcome.Error is { } e) context.FileFailed($"{outcome.Id} (seed {outcome.Seed})", e);
                else if (outcome.Skipped) Interlocked.Increment(ref skipped);
                else Interlocked.Increment(ref made);
                progress.Advance(outcome.Error is not null);
            });
        }
        int failed = count - rows.Count;
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"musicml: corpus synth: {made} generated, {skipped} already complete, {failed} failed in {clock.Elapsed.TotalSeconds:F1} s; manifest {Path.Combine(folder, "manifest.csv")} lists {rows.Count} clips"));
        return failed > 0 ? CommandLineApp.ExitFailure : 0;
    }
}
