using System.Text;
using Wharf.Hosting.Logging;

namespace Wharf.Tests.Hosting;

public sealed class ConsoleLineWriterTests
{
    [Fact]
    public void Every_line_from_many_threads_is_written_whole_and_in_each_threads_order()
    {
        var output = new StringWriter();
        var writer = new ConsoleLineWriter(TextWriter.Synchronized(output));
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                writer.Add($"t{t} line {i}\n");
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        writer.Dispose();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8_000, lines.Length);
        for (var t = 0; t < 4; t++)
        {
            var prefix = $"t{t} line ";
            Assert.Equal(Enumerable.Range(0, 2_000), lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => int.Parse(l[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Many_lines_go_out_in_few_writes()
    {
        var output = new CountingWriter();
        var writer = new ConsoleLineWriter(output);
        output.Block.Reset(); // the writer's thread waits inside its first write while the rest queue up
        writer.Add("first\n");
        Assert.True(output.Entered.Wait(TimeSpan.FromSeconds(10)));
        for (var i = 0; i < 1_000; i++)
        {
            writer.Add($"line {i}\n");
        }

        output.Block.Set();
        writer.Dispose();

        Assert.Equal(1_001, output.Text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(output.Writes <= 3, $"{output.Writes} writes");
    }

    [Fact]
    public void A_line_logged_after_the_writer_stopped_is_written_at_once()
    {
        var output = new StringWriter();
        var writer = new ConsoleLineWriter(TextWriter.Synchronized(output));
        writer.Add("before\n");
        writer.Dispose();

        writer.Add("after\n");

        Assert.Equal("before\nafter\n", output.ToString());
    }

    /// <summary>Counts the writes it is given, and can hold the first one until released.</summary>
    private sealed class CountingWriter : TextWriter
    {
        public ManualResetEventSlim Block { get; } = new(true);

        public ManualResetEventSlim Entered { get; } = new(false);

        public StringBuilder Text { get; } = new();

        public int Writes { get; private set; }

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(StringBuilder? value)
        {
            Entered.Set();
            Block.Wait();
            Writes++;
            Text.Append(value);
        }

        public override void Write(string? value)
        {
            Writes++;
            Text.Append(value);
        }

        public override void Write(char value) => throw new InvalidOperationException("lines are written whole");
    }
}
