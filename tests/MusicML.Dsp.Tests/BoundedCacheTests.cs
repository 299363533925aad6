using MusicML.Dsp;

namespace MusicML.Dsp.Tests;

/// <summary>
/// Plan and filterbank caches are bounded LRUs: a catalogue run whose CQT chroma shifts fMin by each file's tuning
/// must not accumulate one constant-Q plan per file.
/// </summary>
public class BoundedCacheTests
{
    [Fact]
    public void DropsTheLeastRecentlyUsedEntryWhenFull()
    {
        var cache = new BoundedCache<int, string>(2);
        int builds = 0;
        string Build(int k) { builds++; return $"v{k}"; }
        Assert.Equal("v1", cache.GetOrAdd(1, Build));
        Assert.Equal("v2", cache.GetOrAdd(2, Build));
        Assert.Equal("v1", cache.GetOrAdd(1, Build)); // hit: 1 becomes the most recent
        Assert.Equal(2, builds);
        cache.GetOrAdd(3, Build);                       // evicts 2, the least recently used
        Assert.Equal(2, cache.Count);
        Assert.True(cache.Contains(1));
        Assert.False(cache.Contains(2));
        Assert.True(cache.Contains(3));
        cache.GetOrAdd(2, Build);                       // rebuilt after eviction
        Assert.Equal(4, builds);
    }

    [Fact]
    public void ConstantQPlansStayBoundedAcrossTunings()
    {
        var y = new float[22050];
        for (int i = 0; i < y.Length; i++) y[i] = MathF.Sin(2 * MathF.PI * 440 * i / 22050f);
        // Twenty files' worth of tunings, each a different fMin (as CqtChroma shifts it): at most CacheCapacity plans stay.
        for (int file = 0; file < 20; file++)
        {
            double fMin = 32.70319566257483 * Math.Pow(2, (file - 10) / 1200.0);
            var cqt = Spectral.Cqt(y, 22050, 512, fMin, 24, 12);
            Assert.Equal(24, cqt.Rows);
        }
        Assert.InRange(ConstantQPlan.CachedPlans, 1, ConstantQPlan.CacheCapacity);
    }
}
