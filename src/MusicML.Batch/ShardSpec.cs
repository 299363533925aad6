using System.Globalization;
using System.Text;

namespace MusicML.Batch;

/// <summary>
/// Which part of a catalogue one process takes: shard <see cref="Index"/> of <see cref="Count"/> holds the tracks
/// whose relative path hashes to it (<see cref="StableHash"/>, FNV-1a over the UTF-8 bytes), so every process of an
/// array job, on any machine and in any order, agrees on the split without talking to the others.
/// </summary>
/// <param name="Index">This shard, 0 ≤ Index &lt; Count.</param>
/// <param name="Count">How many shards the catalogue is split into (1: the whole catalogue).</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The whole catalogue in one process.</summary>
    public static ShardSpec Whole => new(0, 1);

    /// <summary>True when the catalogue is split (more than one shard).</summary>
    public bool IsSharded => Count > 1;

    /// <summary>Whether the track with <paramref name="relativePath"/> belongs to this shard.</summary>
    public bool Contains(string relativePath) => Count == 1 || (int)(StableHash(relativePath) % (ulong)Count) == Index;

    /// <summary>The folder name of this shard's outputs under a run's <c>--out</c>: <c>shard-K-of-N</c>.</summary>
    public string FolderName => string.Create(CultureInfo.InvariantCulture, $"shard-{Index}-of-{Count}");

    /// <summary><c>K/N</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>
    /// 64-bit FNV-1a of the UTF-8 bytes: fixed by its definition (unlike <see cref="string.GetHashCode()"/>, which is
    /// randomised per process), cheap, and spreading paths that differ in one character.
    /// </summary>
    public static ulong StableHash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <summary>Parses <c>K/N</c> (0-based K).</summary>
    /// <exception cref="BatchUsageException">Not two integers, N below 1, or K outside 0 … N−1.</exception>
    public static ShardSpec Parse(string text, string source = "--shard")
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            throw new BatchUsageException($"{source} {text}: expected K/N, e.g. 0/4 (shard K of N, K counted from 0).");
        return Checked(k, n, source);
    }

    /// <summary>
    /// The shard to run: <paramref name="option"/> (<c>--shard K/N</c>) when given; else a Slurm array task's
    /// (<c>SLURM_ARRAY_TASK_ID</c> − <c>SLURM_ARRAY_TASK_MIN</c>, divided by <c>SLURM_ARRAY_TASK_STEP</c>, of
    /// <c>SLURM_ARRAY_TASK_COUNT</c>, so <c>--array=1-8</c> and <c>--array=0-14:2</c> both give shards 0 … 7); else a
    /// Kubernetes Indexed Job's (<c>JOB_COMPLETION_INDEX</c> of <paramref name="shards"/> or <c>MUSICML_SHARDS</c>);
    /// else the whole catalogue.
    /// </summary>
    /// <param name="option">The <c>--shard</c> value, or null.</param>
    /// <param name="shards">The <c>--shards N</c> value, or null.</param>
    /// <param name="environment">Environment variable lookup (<see cref="Environment.GetEnvironmentVariable(string)"/> by default).</param>
    /// <exception cref="BatchUsageException">A malformed value, or K ≥ N.</exception>
    public static ShardSpec Resolve(string? option, int? shards, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        if (option is not null)
        {
            var spec = Parse(option);
            if (shards is { } n && n != spec.Count) throw new BatchUsageException($"--shard {option} and --shards {n} disagree on the number of shards.");
            return spec;
        }
        if (environment("SLURM_ARRAY_TASK_ID") is { Length: > 0 } id)
        {
            int task = Integer("SLURM_ARRAY_TASK_ID", id);
            int min = environment("SLURM_ARRAY_TASK_MIN") is { Length: > 0 } m ? Integer("SLURM_ARRAY_TASK_MIN", m) : 0;
            int step = environment("SLURM_ARRAY_TASK_STEP") is { Length: > 0 } s ? Integer("SLURM_ARRAY_TASK_STEP", s) : 1;
            int count = shards ?? (environment("SLURM_ARRAY_TASK_COUNT") is { Length: > 0 } c ? Integer("SLURM_ARRAY_TASK_COUNT", c)
                : throw new BatchUsageException("SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not; give --shards N."));
            if (step < 1 || (task - min) % step != 0) throw new BatchUsageException($"SLURM_ARRAY_TASK_ID {task} is not on the array's steps (min {min}, step {step}).");
            return Checked((task - min) / step, count, "SLURM_ARRAY_TASK_ID");
        }
        if (environment("JOB_COMPLETION_INDEX") is { Length: > 0 } index)
        {
            int count = shards ?? (environment("MUSICML_SHARDS") is { Length: > 0 } c ? Integer("MUSICML_SHARDS", c)
                : throw new BatchUsageException("JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of shards is not; give --shards N or set MUSICML_SHARDS to the Job's completions."));
            return Checked(Integer("JOB_COMPLETION_INDEX", index), count, "JOB_COMPLETION_INDEX");
        }
        return shards is { } only && only != 1
            ? throw new BatchUsageException($"--shards {only} needs a shard index: --shard K/{only}, or a Slurm array or Kubernetes Indexed Job to take it from.")
            : Whole;

        static int Integer(string name, string value) =>
            int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v
                : throw new BatchUsageException($"{name}={value}: not an integer.");
    }

    private static ShardSpec Checked(int k, int n, string source)
    {
        if (n < 1) throw new BatchUsageException($"{source}: the number of shards must be at least 1; got {n}.");
        if (k < 0 || k >= n) throw new BatchUsageException($"{source}: shard {k} does not exist among {n} (shards are 0 … {n - 1}).");
        return new ShardSpec(k, n);
    }
}
