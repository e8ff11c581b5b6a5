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

    private CheckProgressDisplay Display(bool terminal) => new(_output, new ConsoleProgress(_time, _progress, terminal), _time);

    [Fact]
    public void Without_a_terminal_progress_is_a_plain_line_every_interval_and_one_at_the_end()
    {
        var display = Display(terminal: false);
        display.BlobsStarting(12, null);
        for (var i = 0; i < 10; i++)
        {
            display.BlobChecked(Blob);
        }

        Assert.Equal(["checking 12 blobs"], Lines(_progress));

        _time.Advance(ConsoleProgress.LineInterval);
        display.BlobChecked(Blob);
        display.BlobChecked(Blob);
        display.BlobsDone();

        Assert.Equal(["checking 12 blobs", "11/12 blobs, 11.0 KiB (92 %)", "12/12 blobs, 12.0 KiB (100 %)"], Lines(_progress));
        Assert.DoesNotContain('\r', _progress.ToString());
    }

    [Fact]
    public void On_a_terminal_a_bar_is_redrawn_in_place_and_a_problem_is_printed_on_a_line_of_its_own()
    {
        var display = Display(terminal: true);
        display.BlobsStarting(4, 4096);
        _time.Advance(CheckProgressDisplay.RedrawInterval);
        display.BlobChecked(Blob);
        display.BlobChecked(Blob); // within the redraw interval: not drawn

        Assert.EndsWith("\r[########......................] 1/4 blobs, 1.0 KiB (25 %)", _progress.ToString(), StringComparison.Ordinal);

        display.ProblemFound(new CheckProblem("library/app", "blob " + Blob.Digest, "missing from storage"));

        Assert.EndsWith(Environment.NewLine, _progress.ToString(), StringComparison.Ordinal);
        Assert.Equal([$"problem: library/app blob {Blob.Digest}: missing from storage"], Lines(_output));
    }

    private static string[] Lines(StringWriter writer) => writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
}
