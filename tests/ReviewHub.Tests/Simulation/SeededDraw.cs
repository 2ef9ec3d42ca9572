using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ReviewHub.Tests.Simulation;

/// <summary>
/// A random-looking fraction in [0, 1) that depends only on a seed and what it is drawn for, not on the order in which
/// concurrent handlers happen to ask: a simulation run with the same seed injects the same faults into the same
/// messages.
/// </summary>
internal static class SeededDraw
{
    public static double Fraction(int seed, params object[] parts)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.Prepend(seed))));
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }
}
