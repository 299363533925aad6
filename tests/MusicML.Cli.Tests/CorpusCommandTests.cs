using MusicML.Tagging.Corpus;

namespace MusicML.Cli.Tests;

public class CorpusCommandTests
{
    [SkippableFact]
    public void SynthWritesAManifestAndResumes()
    {
        string? why = new FluidSynthRenderer().WhyUnavailable();
        Skip.If(why is not null, why);
        string folder = Path.Combine(Path.GetTempPath(), "musicml-corpus-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, _, err) = CliRun.Run("corpus", "synth", "--out", folder, "--count", "2", "--seconds", "5-6", "--jobs", "2");
            Assert.True(code == 0, err);
            var manifest = File.ReadAllLines(Path.Combine(folder, "manifest.csv"));
            Assert.Equal("id,file,duration,tempo,key,meter,tags,seed", manifest[0]);
            Assert.Equal(3, manifest.Length);
            Assert.EndsWith(",1000000", manifest[1]);
            foreach (var ext in new[] { ".wav", ".mid", ".json", ".onsets", ".beats", ".downbeats", ".tempo", ".key", ".chords.lab", ".tags" })
                Assert.True(File.Exists(Path.Combine(folder, "train_00001" + ext)), ext);
            Assert.Contains("2 generated", err);

            // A killed run leaves a clip without its .json: the rerun regenerates only that one.
            var kept = File.GetLastWriteTimeUtc(Path.Combine(folder, "train_00000.wav"));
            File.Delete(Path.Combine(folder, "train_00001.json"));
            (code, _, err) = CliRun.Run("corpus", "synth", "--out", folder, "--count", "2", "--seconds", "5-6");
            Assert.True(code == 0, err);
            Assert.Contains("1 generated, 1 already complete", err);
            Assert.Equal(kept, File.GetLastWriteTimeUtc(Path.Combine(folder, "train_00000.wav")));
            Assert.Equal(manifest, File.ReadAllLines(Path.Combine(folder, "manifest.csv")));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void SynthRefusesBadArguments()
    {
        Assert.Equal(2, CliRun.Run("corpus", "synth", "--out", "x", "--count", "0").Code);
        Assert.Equal(2, CliRun.Run("corpus", "synth", "--out", "x", "--count", "2", "--seconds", "30-20").Code);
        Assert.Equal(2, CliRun.Run("corpus", "synth", "--out", "x", "--count", "2", "--jobs", "0").Code);
        var (code, _, err) = CliRun.Run("corpus", "synth", "--out", Path.GetTempPath(), "--count", "1", "--fluidsynth", "/nonexistent/fluidsynth");
        Assert.Equal(1, code);
        Assert.Contains("install the Debian package fluidsynth", err);
    }
}
