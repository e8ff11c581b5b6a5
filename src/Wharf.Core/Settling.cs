namespace Wharf.Core;

/// <summary>Waiting for work started ahead without caring how it ended.</summary>
public static class Settling
{
    /// <summary>
    /// Completes when <paramref name="task"/> has, whether it succeeded, failed or was cancelled, and never throws: for the
    /// paths on which a task started ahead is no longer needed but must still finish (and have its failure observed)
    /// before what it uses is released.
    /// </summary>
    public static Task SettledAsync(this Task task) =>
        task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
}
