using MusicML.Core;

namespace MusicML.Core.Tests;

public class CsvLineTests
{
    [Fact]
    public void QuotedCommasAndDoubledQuotesFollowRfc4180()
    {
        // RFC 4180: "a,b" is one field, "" inside quotes is one quote, empty fields survive, nothing is trimmed.
        Assert.Equal(["x", "a,b", "say \"hi\"", "", " padded "], CsvLine.Split("x,\"a,b\",\"say \"\"hi\"\"\",, padded "));
        Assert.Equal([""], CsvLine.Split(""));
    }
}
