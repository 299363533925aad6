using MusicML.Core;
using MusicML.TestSupport;
using MusicML.Torch;
using MusicML.Torch.Modules;

namespace MusicML.Torch.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The FCN tagger's layout (Choi et al. 2016) as sota-music-tagging-models names it, to test name compatibility.</summary>
    private sealed class FcnLayout : Module<Tensor, Tensor>
    {
        private sealed class ConvBlock : Module<Tensor, Tensor>
        {
            private readonly Conv2d _conv;
            private readonly BatchNorm2d _bn;

            public ConvBlock(long inputChannels, long outputChannels)
            {
                _conv = RegisterModule("conv", new Conv2d(inputChannels, outputChannels, 3, padding: 1));
                _bn = RegisterModule("bn", new BatchNorm2d(outputChannels));
            }

            public override Tensor Forward(Tensor input)
            {
                using var c = _conv.Forward(input);
                using var b = _bn.Forward(c);
                return Functional.Relu(b);
            }
        }

        public FcnLayout()
        {
            RegisterModule("spec_bn", new BatchNorm2d(1));
            long[] channels = [1, 64, 128, 128, 128, 64];
            for (int i = 1; i <= 5; i++) RegisterModule($"layer{i}", new ConvBlock(channels[i - 1], channels[i]));
            RegisterModule("dense", new Linear(64, 50));
        }

        public override Tensor Forward(Tensor input) => throw new NotSupportedException("layout only");
    }

    [Fact]
    public void ReadsThePublishedFcnCheckpoint()
    {
        var path = SharedData.Path("models", "mtat_fcn.safetensors");
        var (entries, metadata) = SafeTensors.ReadHeader(path);
        // 5 conv blocks × (conv weight, bias + bn weight, bias, mean, var, count) + spec_bn (5) + dense (2) = 42.
        Assert.Equal(42, entries.Count);
        Assert.Equal("fcn", metadata["arch"]);
        var dense = entries.Single(e => e.Name == "dense.weight");
        Assert.Equal(DType.Float32, dense.DType);
        Assert.Equal([50L, 64], dense.Shape);
        Assert.Equal([64L, 1, 3, 3], entries.Single(e => e.Name == "layer1.conv.weight").Shape);
        var counters = entries.Where(e => e.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, counters.Count);
        Assert.All(counters, e =>
        {
            Assert.Equal(DType.Int64, e.DType);
            Assert.Empty(e.Shape);
        });

        using var weights = SafeTensors.Load(path);
        var count = weights["layer1.bn.num_batches_tracked"];
        Assert.Equal(0, count.Rank);
        Assert.True(count.ToInt64() > 0, "a trained network has counted its batches");
        // The names and shapes are exactly those of a module built with PyTorch's naming, so strict loading succeeds.
        using var model = new FcnLayout();
        model.LoadStateDict(weights);
        var loaded = model.StateDict().Single(kv => kv.Key == "dense.bias").Value.ToArray<float>();
        Assert.Equal(weights["dense.bias"].ToArray<float>(), loaded);
    }

    [Fact]
    public void RoundTripsEveryDTypeWithNamesAndMetadata()
    {
        var path = Path.Combine(_dir, "mixed.safetensors");
        using var f32 = Tensor.From([1f, -2f, 3.5f, 0f, 5f, 6f], [2, 3]);
        using var f16 = Tensor.From([(Half)0.5f, (Half)(-1f)]);
        using var bf16 = Tensor.FromBytes([0xC0, 0x3F], DType.BFloat16, [1]);
        using var i64 = Tensor.Scalar(7L);
        using var flags = Tensor.From([true, false]);
        SafeTensors.Save(path, [new("block.0.weight", f32), new("half", f16), new("brain", bf16), new("block.0.num_batches_tracked", i64), new("mask", flags)],
            new Dictionary<string, string> { ["format"] = "pt" });
        var (entries, metadata) = SafeTensors.ReadHeader(path);
        Assert.Equal(["block.0.weight", "half", "brain", "block.0.num_batches_tracked", "mask"], entries.Select(e => e.Name));
        Assert.Equal("pt", metadata["format"]);
        using var back = SafeTensors.Load(path);
        Assert.Equal(f32.ToArray<float>(), back["block.0.weight"].ToArray<float>());
        Assert.Equal([2L, 3], back["block.0.weight"].Shape);
        Assert.Equal(f16.ToArray<Half>(), back["half"].ToArray<Half>());
        Assert.Equal(DType.BFloat16, back["brain"].DType);
        Assert.Equal([1.5f], back["brain"].ToArray<float>());
        Assert.Equal(0, back["block.0.num_batches_tracked"].Rank);
        Assert.Equal(7, back["block.0.num_batches_tracked"].ToInt64());
        Assert.Equal([true, false], back["mask"].ToArray<bool>());
    }

    [Fact]
    public void BadFilesAreReportedByName()
    {
        var missing = Path.Combine(_dir, "absent.safetensors");
        var e = Assert.Throws<MusicMLException>(() => SafeTensors.Load(missing));
        Assert.Contains(missing, e.Message);

        var truncated = Path.Combine(_dir, "truncated.safetensors");
        var bytes = File.ReadAllBytes(SharedData.Path("models", "mtat_fcn.safetensors"));
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        e = Assert.Throws<MusicMLException>(() => SafeTensors.Load(truncated));
        Assert.Contains(truncated, e.Message);
        Assert.Contains("truncated", e.Message);

        var garbage = Path.Combine(_dir, "garbage.safetensors");
        File.WriteAllBytes(garbage, [8, 0, 0, 0, 0, 0, 0, 0, (byte)'n', (byte)'o', (byte)'t', (byte)' ', (byte)'j', (byte)'s', (byte)'o', (byte)'n']);
        e = Assert.Throws<MusicMLException>(() => SafeTensors.Load(garbage));
        Assert.Contains(garbage, e.Message);

        var empty = Path.Combine(_dir, "empty.safetensors");
        File.WriteAllBytes(empty, []);
        Assert.Throws<MusicMLException>(() => SafeTensors.ReadHeader(empty));
    }

    [Fact]
    public void StateDictMismatchListsTheNames()
    {
        using var model = new Linear(3, 2);
        using var wrongShape = Tensor.Zeros([2, 4]);
        using var bias = Tensor.Zeros([2]);
        using var extra = Tensor.Zeros([1]);
        var state = new Dictionary<string, Tensor> { ["weight"] = wrongShape, ["bias"] = bias, ["scale"] = extra };
        var e = Assert.Throws<MusicMLException>(() => model.LoadStateDict(state));
        Assert.Contains("'weight' has shape [2, 4] but the module expects [2, 3]", e.Message);
        Assert.Contains("unexpected 'scale'", e.Message);
    }
}
