using System.Runtime.InteropServices;
using MusicML.Torch.Interop;

namespace MusicML.Torch.Tests;

/// <summary>
/// The C#/C++ boundary: the shim's opcode tables are the ones Interop/Opcodes.cs was written against, a drifted table
/// is named at load, libtorch's own messages arrive as <see cref="TorchException"/>, and native handles are
/// reference-counted so a dispose can never free a tensor a native call is still using.
/// </summary>
public class NativeBoundaryTests
{
    private static string ShimTable()
    {
        TorchRuntime.EnsureAvailable();
        return Marshal.PtrToStringUTF8(TorchNative.mm_opcode_table())!;
    }

    [Fact]
    public void ShimOpcodeTablesMatchTheManagedEnums()
    {
        // Thirteen families (Factory … OptimKind) in the built shim, every one equal to its C# enum.
        var table = ShimTable();
        Assert.Equal(Opcodes.Families.Length, table.Split(';', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Null(Opcodes.FirstMismatch(table));
    }

    [Theory]
    // Two neighbours swapped in the shim: the first differing position is named with both spellings.
    [InlineData("U_ISNAN,U_ERF,", "U_ERF,U_ISNAN,", "UnaryOp 25 is U_ERF in the shim but IsNan in Interop/Opcodes.cs")]
    // An opcode added on the C++ side only.
    [InlineData("O_ADAMW,", "O_ADAMW,O_LION,", "OptimKind 3 is O_LION in the shim but missing in Interop/Opcodes.cs")]
    // An opcode removed from the C++ side only.
    [InlineData("P_MAX,P_AVG,", "P_MAX,", "PoolOp 1 is Avg in Interop/Opcodes.cs but missing in the shim")]
    // A whole family gone.
    [InlineData("DimOp:", "DimOps:", "the shim has no DimOp table")]
    public void AlteredShimTableIsReportedAtTheFirstMismatch(string original, string altered, string expected)
    {
        var table = ShimTable();
        Assert.Contains(original, table);
        Assert.Equal(expected, Opcodes.FirstMismatch(table.Replace(original, altered, StringComparison.Ordinal)));
    }

    [Fact]
    public void LibtorchErrorsArriveWithTheirNativeMessage()
    {
        // A C++ c10::Error thrown inside at::matmul crosses the C ABI as -1/nullptr plus mm_last_error's text.
        using var a = Tensor.Ones([2, 3]);
        using var b = Tensor.Ones([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.Contains("cannot be multiplied", e.Message);
    }

    [Fact]
    public void DisposeDuringANativeCallWaitsForTheCallToFinish()
    {
        // The marshaller holds a reference on each TensorHandle argument for the whole call, so a Dispose issued
        // meanwhile (here: before the call returns, from inside it, simulated with a manual reference) only marks the
        // handle closed; the tensor is freed when the last reference goes.
        var tensor = Tensor.Ones([4]);
        long live = TorchRuntime.LiveTensorCount;
        bool added = false;
        tensor.Handle.DangerousAddRef(ref added);
        tensor.Dispose();
        Assert.True(tensor.IsDisposed);
        Assert.Equal(live, TorchRuntime.LiveTensorCount);
        Assert.Throws<ObjectDisposedException>(() => tensor.Abs());
        tensor.NativeHandle.DangerousRelease();
        Assert.Equal(live - 1, TorchRuntime.LiveTensorCount);
    }

    [Fact]
    public void ArrayArgumentsRefuseADisposedTensorAndReleaseWhatTheyTook()
    {
        var kept = Tensor.Ones([2]);
        var gone = Tensor.Ones([2]);
        gone.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Tensor.Cat([kept, gone]));
        // The reference Cat took on `kept` before meeting `gone` was dropped: disposing frees it at once.
        long live = TorchRuntime.LiveTensorCount;
        kept.Dispose();
        Assert.Equal(live - 1, TorchRuntime.LiveTensorCount);
    }
}
