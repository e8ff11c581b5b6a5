using Microsoft.Extensions.Time.Testing;
using Wharf.Commands;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Maintenance;

namespace Wharf.Tests.Core.Services.Maintenance;

public sealed class CheckProgressDisplayTests
{
    private static readonly BlobInfo Blob = new(Digest.Compute(new byte[] { 1 }), 1024);
    private readonly FakeTimeProvider _time = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _progress = new();

    [Fact]
    public void Without_a_terminal_progress_is_a_plain_line_every_interval()
    {
        var display = new CheckProgressDisplay(_output, _progress, terminal: false, _time);
        display.BlobsStarting(100, null);
        for (var i = 0; i < 10; i++)
        {
            display.BlobChecked(Blob);
        }

        Assert.Equal(["checking 100 blobs"], Lines(_progress));

        _time.Advance(CheckProgressDisplay.LineInterval);
        display.BlobChecked(Blob);
        display.BlobChecked(Blob);

        Assert.Equal(["checking 100 blobs", "checked 11/100 blobs, 11.0 KiB (11%)"], Lines(_progress));
        Assert.DoesNotContain('\r', _progress.ToString());
    }

    [Fact]
    public void On_a_terminal_a_bar_is_redrawn_in_place_and_cleared_before_a_problem_is_printed()
    {
        var display = new CheckProgressDisplay(_output, _progress, terminal: true, _time);
        display.BlobsStarting(4, 4096);
        _time.Advance(TimeSpan.FromSeconds(1));
        display.BlobChecked(Blob);

        Assert.Contains("\r\u001b[Kchecking blobs [########......................] 25% 1/4 blobs, 1.0 KiB of 4.0 KiB", _progress.ToString(), StringComparison.Ordinal);

        display.ProblemFound(new CheckProblem("library/app", "blob " + Blob.Digest, "missing from storage"));

        Assert.EndsWith("\r\u001b[K", _progress.ToString(), StringComparison.Ordinal);
        Assert.Equal([$"problem: library/app blob {Blob.Digest}: missing from storage"], Lines(_output));
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
