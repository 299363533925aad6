using MathNet.Numerics.LinearAlgebra;

namespace MusicML.Learning;

/// <summary>
/// The economy SVD a = U·diag(S)·Vᵀ (U: n × r, S: r, Vᵀ: r × d with r = min(n, d), S decreasing), computed as a thin
/// QR followed by the SVD of the small triangular factor so that a tall matrix never needs its n × n U.
/// </summary>
internal sealed record ThinSvd(Matrix<double> U, Vector<double> S, Matrix<double> VT)
{
    public static ThinSvd Of(Matrix<double> a)
    {
        if (a.RowCount < a.ColumnCount)
        {
            var t = Of(a.Transpose());
            return new ThinSvd(t.VT.Transpose(), t.S, t.U.Transpose());
        }
        var qr = a.QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var svd = qr.R.Svd(computeVectors: true);
        return new ThinSvd(qr.Q * svd.U, svd.S, svd.VT);
    }

    /// <summary>The minimum-norm least-squares solution of a·w = b (numpy/scipy <c>lstsq</c>), singular values below
    /// eps·max(n, d)·S₀ treated as zero.</summary>
    public Matrix<double> Solve(Matrix<double> b)
    {
        double cutoff = TrainingData.MachineEpsilon * Math.Max(U.RowCount, VT.ColumnCount) * (S.Count > 0 ? S[0] : 0);
        var projected = U.TransposeThisAndMultiply(b); // r × targets
        for (int k = 0; k < S.Count; k++)
        {
            double inverse = S[k] > cutoff ? 1 / S[k] : 0;
            for (int t = 0; t < projected.ColumnCount; t++) projected[k, t] *= inverse;
        }
        return VT.TransposeThisAndMultiply(projected);
    }
}
