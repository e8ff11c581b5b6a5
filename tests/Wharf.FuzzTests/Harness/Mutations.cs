using CsCheck;

namespace Wharf.FuzzTests.Harness;

/// <summary>One edit to a byte sequence; its numbers are reduced modulo the sizes at hand when it is applied.</summary>
public readonly record struct Edit(int Kind, int A, int B, int C);

/// <summary>
/// Structured mutation of corpus seeds, as a fuzzer does: flip bits, write boundary bytes, insert dictionary tokens
/// or random bytes, delete, truncate, splice two seeds, repeat a chunk. Every edit comes from CsCheck's generator, so a
/// failing input shrinks and replays from its seed.
/// </summary>
public static class Mutations
{
    private const int EditKinds = 8;

    private static readonly byte[] Boundary =
        [0x00, 0xFF, 0x7F, 0x80, 0xC0, 0xE2, (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)',',
         (byte)'/', (byte)'.', (byte)'-', (byte)'%', (byte)'=', (byte)'&', (byte)' ', (byte)'\r', (byte)'\n', (byte)'\t', (byte)'0', (byte)'9', (byte)'a', (byte)'z'];

    private static readonly Gen<Edit> EditGen = Gen.Select(Gen.Int[0, EditKinds - 1], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue],
        (kind, a, b, c) => new Edit(kind, a, b, c));

    /// <summary>A seed with one to six edits applied, never longer than <paramref name="maxLength"/>.</summary>
    public static Gen<byte[]> Of(IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, int maxLength) =>
        Gen.Select(Gen.Int[0, seeds.Count - 1], EditGen.Array[1, 6], (seed, edits) => Apply(seeds, tokens, seeds[seed], edits, maxLength));

    /// <summary>A seed as-is, mutated, or bytes made only of tokens and random bytes.</summary>
    public static Gen<byte[]> SeededOrRandom(IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, int maxLength) => Gen.Frequency(
        (1, Gen.Int[0, seeds.Count - 1].Select(i => seeds[i])),
        (8, Of(seeds, tokens, maxLength)),
        (2, Of([[]], tokens, maxLength)),
        (1, Gen.Byte.Array[0, Math.Min(maxLength, 512)]));

    public static byte[] Apply(IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, byte[] seed, IReadOnlyList<Edit> edits, int maxLength)
    {
        var buffer = new List<byte>(seed);
        foreach (var edit in edits)
        {
            ApplyOne(buffer, seeds, tokens, edit);
            if (buffer.Count > maxLength)
            {
                buffer.RemoveRange(maxLength, buffer.Count - maxLength);
            }
        }

        return [.. buffer];
    }

    private static void ApplyOne(List<byte> buffer, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, Edit edit)
    {
        var length = buffer.Count;
        var at = length == 0 ? 0 : edit.A % length;
        switch (edit.Kind)
        {
            case 0 when length > 0: // flip one bit
                buffer[at] ^= (byte)(1 << (edit.B % 8));
                break;
            case 1 when length > 0: // a boundary byte
                buffer[at] = Boundary[edit.B % Boundary.Length];
                break;
            case 2 when tokens.Count > 0: // a dictionary token
                buffer.InsertRange(edit.A % (length + 1), tokens[edit.B % tokens.Count]);
                break;
            case 3: // a few random bytes
                var random = new Random(edit.C);
                var bytes = new byte[1 + (edit.B % 16)];
                random.NextBytes(bytes);
                buffer.InsertRange(edit.A % (length + 1), bytes);
                break;
            case 4 when length > 0: // delete a range
                buffer.RemoveRange(at, 1 + (edit.B % Math.Min(length - at, 64)));
                break;
            case 5: // truncate
                buffer.RemoveRange(edit.A % (length + 1), length - (edit.A % (length + 1)));
                break;
            case 6: // splice: this seed's head, another's tail
                var other = seeds[edit.B % seeds.Count];
                var head = edit.A % (length + 1);
                var tail = other.Length == 0 ? 0 : edit.C % other.Length;
                buffer.RemoveRange(head, length - head);
                buffer.AddRange(other.AsSpan(tail).ToArray());
                break;
            case 7 when length > 0: // repeat a chunk
                var count = 1 + (edit.B % Math.Min(length - at, 64));
                var chunk = buffer.GetRange(at, count);
                var times = 1 + (edit.C % 64);
                for (var i = 0; i < times; i++)
                {
                    buffer.InsertRange(at, chunk);
                }

                break;
        }
    }
}
