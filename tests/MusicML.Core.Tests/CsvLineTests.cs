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

    /// <summary>Quote is Split's inverse: fields with commas, quotes, LF or CR are quoted and come back as written.</summary>
    [Fact]
    public void QuotedFieldsSplitBackToThemselves()
    {
        string[] fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", ""];
        Assert.Equal("plain", CsvLine.Quote("plain"));
        Assert.Equal("\"say \"\"hi\"\"\"", CsvLine.Quote("say \"hi\""));
        Assert.Equal(fields, CsvLine.Split(string.Join(',', fields.Select(CsvLine.Quote))));
    }
}
