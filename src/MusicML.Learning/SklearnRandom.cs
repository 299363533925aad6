namespace MusicML.Learning;

/// <summary>
/// numpy's legacy <c>RandomState</c> as far as scikit-learn's trees and forests draw from it: the MT19937 generator
/// seeded by <c>init_genrand</c>, and <c>randint(low, high)</c> by masked rejection on 32-bit outputs. With it a
/// <c>Seed</c> here means what <c>random_state</c> means there, so trees visit features in scikit-learn's order and
/// forests draw scikit-learn's bootstrap samples.
/// </summary>
internal sealed class NumpyRandomState
{
    private readonly uint[] _mt = new uint[624];
    private int _index;

    public NumpyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < 624; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _index = 624;
    }

    /// <summary>The next 32-bit output (<c>genrand_int32</c>).</summary>
    public uint NextUInt32()
    {
        if (_index >= 624)
        {
            for (int k = 0; k < 624; k++)
            {
                uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % 624] & 0x7fffffffu);
                _mt[k] = _mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            _index = 0;
        }
        uint v = _mt[_index++];
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        return v;
    }

    /// <summary><c>randint(low, high)</c>: uniform in [low, high), high − low ≤ 2³².</summary>
    public long RandInt(long low, long high)
    {
        ulong range = (ulong)(high - low - 1);
        if (range == 0) return low;
        uint mask = (uint)range;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > range) { }
        return low + value;
    }
}

/// <summary>
/// scikit-learn's tree generator (<c>our_rand_r</c>, a 32-bit xorshift) with its seed drawn as the splitter draws it:
/// <c>RandomState(seed).randint(0, 0x7FFFFFFF)</c>.
/// </summary>
internal sealed class TreeRandom
{
    private const uint RandRMax = 0x7FFFFFFF;
    private uint _state;

    public TreeRandom(int seed) => _state = (uint)new NumpyRandomState((uint)seed).RandInt(0, RandRMax);

    /// <summary><c>rand_int(low, high)</c>: low + our_rand_r() mod (high − low).</summary>
    public int Next(int low, int high)
    {
        if (_state == 0) _state = 1; // DEFAULT_SEED
        _state ^= _state << 13;
        _state ^= _state >> 17;
        _state ^= _state << 5;
        uint r = _state % (RandRMax + 1u);
        return low + (int)(r % (uint)(high - low));
    }
}
