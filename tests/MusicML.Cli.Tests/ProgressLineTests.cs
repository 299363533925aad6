using MusicML.Cli.Infrastructure;

namespace MusicML.Cli.Tests;

/// <summary>The single-file progress line: what it says, and that it stays silent when stderr is not a terminal.</summary>
public class ProgressLineTests
{
    [Fact]
    public void DescribesAudioDoneShareAndEta()
    {
        var line = new ProgressLine(new CliContext(TextWriter.Null, TextWriter.Null), "analyze long.flac", 7200);
        // 12 minutes of two hours after 30 s: 10 %, and 9 × 30 s = 4.5 minutes to go at that rate.
        Assert.Equal("analyze long.flac: 12m00s of 2h00m audio, 10 %, ETA 4m30s", line.Describe(720, 7200, 30));
        Assert.Equal("analyze long.flac: 2h00m of 2h00m audio, 100 %", line.Describe(7200, 7200, 300));
    }

    [Fact]
    public void WritesNothingWhenStderrIsCaptured()
    {
        var error = new StringWriter();
        using (var line = new ProgressLine(new CliContext(TextWriter.Null, error), "beats x.wav", 60))
        {
            line.Report(0.5);
            line.Report(30, 60);
        }
        Assert.Equal("", error.ToString());
    }
}
