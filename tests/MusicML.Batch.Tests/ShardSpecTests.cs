using MusicML.Batch;

namespace MusicML.Batch.Tests;

public class ShardSpecTests
{
    [Fact]
    public void TheHashIsFnv1aSoEveryProcessAndMachineAgrees()
    {
        // FNV-1a 64's published test vectors: "" → offset basis, "a" → 0xaf63dc4c8601ec8c, "foobar" → 0x85944171f73967e8.
        Assert.Equal(14695981039346656037UL, ShardSpec.StableHash(""));
        Assert.Equal(0xaf63dc4c8601ec8cUL, ShardSpec.StableHash("a"));
        Assert.Equal(0x85944171f73967e8UL, ShardSpec.StableHash("foobar"));
    }

    [Fact]
    public void EveryTrackIsInExactlyOneShardAndTheShardsAreBalanced()
    {
        var tracks = Enumerable.Range(0, 10_000).Select(i => $"artist{i % 97}/album{i % 13}/track{i:D5}.flac").ToList();
        var shards = Enumerable.Range(0, 7).Select(k => new ShardSpec(k, 7)).ToList();
        foreach (var track in tracks) Assert.Single(shards, s => s.Contains(track));
        // 10,000 / 7 = 1,428.6 each; a fair hash stays within a few standard deviations (√1429 ≈ 38): ±10 % is generous.
        foreach (var shard in shards) Assert.InRange(tracks.Count(shard.Contains), 1286, 1571);
        Assert.All(tracks, t => Assert.True(ShardSpec.Whole.Contains(t)));
    }

    [Fact]
    public void TheOptionIsParsedAndCheckedBeforeAnyWork()
    {
        Assert.Equal(new ShardSpec(2, 4), ShardSpec.Parse("2/4"));
        Assert.Contains("shard 4 does not exist among 4", Assert.Throws<BatchUsageException>(() => ShardSpec.Parse("4/4")).Message);
        Assert.Contains("at least 1", Assert.Throws<BatchUsageException>(() => ShardSpec.Parse("0/0")).Message);
        Assert.Contains("expected K/N", Assert.Throws<BatchUsageException>(() => ShardSpec.Parse("1of4")).Message);
        Assert.Contains("expected K/N", Assert.Throws<BatchUsageException>(() => ShardSpec.Parse("-1/4")).Message);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void ASlurmArrayTaskTakesItsShardFromTheEnvironmentWhateverTheArraysFirstIndexAndStep()
    {
        Assert.Equal(ShardSpec.Whole, ShardSpec.Resolve(null, null, Env()));
        Assert.Equal(new ShardSpec(1, 3), ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_COUNT", "3"))));
        // --array=1-8: tasks 1 … 8 are shards 0 … 7.
        Assert.Equal(new ShardSpec(7, 8), ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "8"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "8"))));
        // --array=0-14:2: tasks 0, 2, … 14 are shards 0 … 7.
        Assert.Equal(new ShardSpec(3, 8), ShardSpec.Resolve(null, null,
            Env(("SLURM_ARRAY_TASK_ID", "6"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_STEP", "2"), ("SLURM_ARRAY_TASK_COUNT", "8"))));
        // The option wins over the environment.
        Assert.Equal(new ShardSpec(0, 2), ShardSpec.Resolve("0/2", null, Env(("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_COUNT", "3"))));
        Assert.Throws<BatchUsageException>(() => ShardSpec.Resolve(null, null, Env(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "3"))));
    }

    [Fact]
    public void AKubernetesIndexedJobNeedsTheShardCountFromTheOptionOrMusicmlShards()
    {
        Assert.Equal(new ShardSpec(4, 5), ShardSpec.Resolve(null, null, Env(("JOB_COMPLETION_INDEX", "4"), ("MUSICML_SHARDS", "5"))));
        Assert.Equal(new ShardSpec(4, 6), ShardSpec.Resolve(null, 6, Env(("JOB_COMPLETION_INDEX", "4"), ("MUSICML_SHARDS", "5"))));
        Assert.Contains("MUSICML_SHARDS", Assert.Throws<BatchUsageException>(() => ShardSpec.Resolve(null, null, Env(("JOB_COMPLETION_INDEX", "0")))).Message);
        Assert.Contains("shard 5 does not exist among 5",
            Assert.Throws<BatchUsageException>(() => ShardSpec.Resolve(null, null, Env(("JOB_COMPLETION_INDEX", "5"), ("MUSICML_SHARDS", "5")))).Message);
        Assert.Contains("needs a shard index", Assert.Throws<BatchUsageException>(() => ShardSpec.Resolve(null, 4, Env())).Message);
    }
}
