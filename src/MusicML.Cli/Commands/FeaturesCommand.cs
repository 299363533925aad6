using System.CommandLine;
using System.Globalization;
using System.Text;
using MusicML.Audio;
using MusicML.Cli.Infrastructure;
using MusicML.Core;
using MusicML.Dsp;

namespace MusicML.Cli.Commands;

/// <summary>
/// <c>musicml features INPUT --kind K --out FILE.npy|FILE.csv</c>: decodes INPUT at <c>--sr</c> (mono), computes one
/// feature with librosa's parameter names and defaults, and writes it as float32 <c>.npy</c> in librosa's shape (so
/// <c>np.load</c> puts it beside librosa's output) or as CSV with one row per frame and a leading time column.
/// <c>musicml features summary INPUT...</c> is the per-track summary table instead (<see cref="FeatureSummaryCommand"/>).
/// </summary>
internal static class FeaturesCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("INPUT") { Description = "Audio file to analyse." };
        var kind = new Option<string>("--kind")
        {
            Description = "Feature to compute: " + string.Join(", ", FeatureKinds.All.Select(k => k.Name)) + ".",
            Required = true,
        };
        kind.AcceptOnlyFromAmong([.. FeatureKinds.All.Select(k => k.Name)]);
        var output = new Option<string>("--out") { Description = "Output file: .npy (float32, librosa's shape) or .csv (one row per frame).", Required = true };
        var sampleRate = new Option<int>("--sr") { Description = "Sample rate to analyse at, in Hz (audio is resampled).", DefaultValueFactory = _ => 22050 };
        var nFft = new Option<int>("--n-fft") { Description = "FFT size in samples.", DefaultValueFactory = _ => 2048 };
        var hopLength = new Option<int>("--hop-length") { Description = "Hop between frames in samples.", DefaultValueFactory = _ => 512 };
        var nMels = new Option<int>("--n-mels") { Description = "Number of mel bands.", DefaultValueFactory = _ => 128 };
        var fMin = new Option<double?>("--fmin") { Description = "Lowest frequency in Hz (mel: 0; cqt: C1 = 32.70 Hz)." };
        var fMax = new Option<double?>("--fmax") { Description = "Highest mel frequency in Hz (default: sr / 2)." };
        var nMfcc = new Option<int>("--n-mfcc") { Description = "Number of MFCCs.", DefaultValueFactory = _ => 20 };
        var htk = new Option<bool>("--htk") { Description = "Use the HTK mel scale instead of Slaney's." };
        var nBins = new Option<int>("--n-bins") { Description = "Number of CQT bins.", DefaultValueFactory = _ => 84 };
        var binsPerOctave = new Option<int?>("--bins-per-octave") { Description = "CQT bins per octave (default 12 for cqt, 36 for CQT chroma as in librosa)." };

        var command = new Command("features", "Compute a spectral feature with librosa's defaults and write it as .npy or .csv (or, with 'summary', per-track summary features for the classical learners).");
        command.Arguments.Add(input);
        foreach (var option in new Option[] { kind, output, sampleRate, nFft, hopLength, nMels, fMin, fMax, nMfcc, htk, nBins, binsPerOctave })
            command.Options.Add(option);
        // A subcommand beside the INPUT argument: "features summary ..." runs it, any other first token is INPUT,
        // so "features FILE --kind K --out F" keeps working (a file literally named "summary" needs "./summary").
        command.Subcommands.Add(FeatureSummaryCommand.Create(context));
        command.SetAction(parse =>
        {
            var parameters = new FeatureParameters(
                Positive(parse.GetValue(sampleRate), "--sr"), Positive(parse.GetValue(nFft), "--n-fft"),
                Positive(parse.GetValue(hopLength), "--hop-length"), Positive(parse.GetValue(nMels), "--n-mels"),
                parse.GetValue(fMin) is { } lo ? NonNegative(lo, "--fmin") : null, parse.GetValue(fMax) is { } f ? Positive(f, "--fmax") : null,
                Positive(parse.GetValue(nMfcc), "--n-mfcc"), parse.GetValue(htk), Positive(parse.GetValue(nBins), "--n-bins"),
                parse.GetValue(binsPerOctave) is { } b ? Positive(b, "--bins-per-octave") : null);
            var feature = FeatureKinds.Find(parse.GetValue(kind)!)!;
            parameters.Validate(feature);
            return Run(context, parse.GetValue(input)!, feature, parameters, parse.GetValue(output)!);
        });
        return command;
    }

    /// <summary>Frames per streamed block: 8192 hops (190 s at 22050 Hz and hop 512).</summary>
    internal const int DefaultBlockFrames = 8192;

    /// <summary>Computes <paramref name="kind"/> for <paramref name="inputPath"/> and writes <paramref name="outputPath"/>.</summary>
    /// <param name="context">The CLI's streams.</param>
    /// <param name="inputPath">The audio file.</param>
    /// <param name="kind">The feature.</param>
    /// <param name="parameters">librosa's parameters.</param>
    /// <param name="outputPath">The .npy or .csv file to write.</param>
    /// <param name="blockFrames">
    /// Frames per streamed block (tests set a small one to cut short clips in many places; the numbers do not depend
    /// on it beyond float rounding, tested).
    /// </param>
    public static int Run(CliContext context, string inputPath, FeatureKind kind, FeatureParameters parameters, string outputPath,
        int blockFrames = DefaultBlockFrames)
    {
        var extension = Path.GetExtension(outputPath).ToLowerInvariant();
        if (extension is not (".npy" or ".csv"))
            throw new CliUsageException($"--out {outputPath}: the output must end in .npy or .csv.");
        if (!File.Exists(inputPath)) throw new CliUsageException($"{inputPath}: no such file.");
        OutputPaths.CheckFile("--out", outputPath, [inputPath]);
        if (extension == ".npy")
        {
            NpyColumnWriter? writer = null;
            try
            {
                StreamColumns(context, inputPath, kind, parameters, blockFrames, (feature, first, count) =>
                {
                    writer ??= new NpyColumnWriter(outputPath, feature.Rows, kind.OneDimensional);
                    writer.AppendColumns(feature.Data, feature.Columns, first, count);
                });
                writer!.Commit();
            }
            finally
            {
                writer?.Dispose();
            }
        }
        else
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(outputPath));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            AtomicFile.WriteText(outputPath, text =>
            {
                long frame = 0;
                var line = new StringBuilder();
                StreamColumns(context, inputPath, kind, parameters, blockFrames, (feature, first, count) =>
                {
                    if (frame == 0) WriteCsvHeader(text, kind, feature.Rows);
                    for (int t = first; t < first + count; t++, frame++)
                    {
                        line.Clear();
                        // The recording's frame `frame` is centred on sample frame * hop (librosa's frames_to_time, center=True).
                        line.Append(((double)frame * parameters.HopLength / parameters.SampleRate).ToString("F6", CultureInfo.InvariantCulture));
                        for (int r = 0; r < feature.Rows; r++)
                            line.Append(',').Append(feature[r, t].ToString("R", CultureInfo.InvariantCulture));
                        text.WriteLine(line.ToString());
                    }
                });
            });
        }
        return 0;
    }

    /// <summary>
    /// <paramref name="kind"/> computed over overlapping blocks of the decoded stream (<see cref="OverlappingBlocks"/>),
    /// each block's own frames handed to <paramref name="append"/> (feature, first column, count) in order: memory stays
    /// at one block whatever the duration, and the values are the whole-file ones (every frame sees the same samples
    /// and padding; a kind that needs a whole-recording statistic gets it from a first read, see
    /// <see cref="WholeRecordingPass"/>). A file no longer than one block is one window, computed exactly as the
    /// library's whole-signal call, and read once.
    /// </summary>
    private static void StreamColumns(CliContext context, string inputPath, FeatureKind kind, FeatureParameters parameters,
        int blockFrames, Action<FloatMatrix, int, int> append)
    {
        int hop = parameters.HopLength;
        var twoPass = kind.TwoPass?.Invoke(parameters);
        // Half a frame of context either side, rounded up to whole hops, plus one hop to spare; or what the kind says.
        int contextHops = (parameters.NFft / 2 + hop - 1) / hop + 1 + (twoPass?.ExtraContextFrames ?? 0);
        long contextSamples = kind.ContextSamples?.Invoke(parameters) ?? (long)contextHops * hop;
        // Every block edge on the feature's frame grid and, when its hop differs, on that of the first pass.
        int observeHop = twoPass is { ObserveHop: > 0 } ? twoPass.ObserveHop : hop;
        int grid = OverlappingBlocks.Grid(hop, observeHop);
        OverlappingBlocks Blocks(AudioStreamReader reader) => new(reader, OverlappingBlocks.RoundUp(Math.Max((long)blockFrames * hop, grid), grid),
            OverlappingBlocks.RoundUp(contextSamples, grid));
        using var progress = new ProgressLine(context, $"features {kind.Name} {Path.GetFileName(inputPath)}");
        // A kind that needs a whole-recording statistic reads the file once for it first (half the progress line).
        int passes = twoPass is null ? 1 : 2;
        using (var first = new AudioStreamReader(inputPath, parameters.SampleRate, mono: true))
        {
            var blocks = Blocks(first);
            if (!blocks.Next()) throw AudioFormatException.NoSamples(inputPath);
            // A recording that fits one window (most tracks: a block is 8192 hops, 190 s at 22.05 kHz) needs no second
            // read: the library's whole-signal call on it is the answer.
            if (blocks.IsWhole)
            {
                var whole = kind.Compute(blocks.Window.ToArray(), parameters);
                append(whole, 0, whole.Columns);
                return;
            }
            if (twoPass is null)
            {
                Compute(blocks, first.Info.Duration, pass: 1);
                return;
            }
            do
            {
                var (from, count) = blocks.OwnedFrames(observeHop);
                twoPass.Observe(blocks.Window.ToArray(), from, count);
                progress.Report(blocks.OwnedEnd / (double)parameters.SampleRate / passes, first.Info.Duration);
            }
            while (blocks.Next());
        }
        using var reader = new AudioStreamReader(inputPath, parameters.SampleRate, mono: true);
        var second = Blocks(reader);
        if (!second.Next()) throw AudioFormatException.NoSamples(inputPath);
        Compute(second, reader.Info.Duration, pass: 2);

        // Every block from the current one on: its feature, and the frames it owns.
        void Compute(OverlappingBlocks stream, double expectedSeconds, int pass)
        {
            do
            {
                var window = stream.Window.ToArray();
                var feature = twoPass is null ? kind.Compute(window, parameters) : twoPass.Compute(window);
                var (from, count) = stream.OwnedFrames(hop);
                append(feature, from, count);
                progress.Report(((pass - 1) * expectedSeconds + stream.OwnedEnd / (double)parameters.SampleRate) / passes, expectedSeconds);
            }
            while (stream.Next());
        }
    }

    private static void WriteCsvHeader(TextWriter writer, FeatureKind kind, int rows)
    {
        var header = new StringBuilder("time");
        for (int r = 0; r < rows; r++) header.Append(',').Append(kind.Name).Append('_').Append(r);
        writer.WriteLine(header.ToString());
    }

    private static int Positive(int value, string option) =>
        value > 0 ? value : throw new CliUsageException($"{option} must be a positive integer; got {value}.");

    private static double Positive(double value, string option) =>
        value > 0 && double.IsFinite(value) ? value : throw new CliUsageException($"{option} must be a positive number; got {value}.");

    private static double NonNegative(double value, string option) =>
        value >= 0 && double.IsFinite(value) ? value : throw new CliUsageException($"{option} must be zero or positive; got {value}.");
}
