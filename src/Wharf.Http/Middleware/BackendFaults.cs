using System.Data.Common;
using System.Net.Sockets;
using Wharf.Core.Errors;
using Wharf.Core.Storage;

namespace Wharf.Http.Middleware;

/// <summary>
/// Which faults of the registry's own storage and database are no bug: a full disk (507) and an engine that cannot be
/// reached now (503). Looked for anywhere in the exception chain; anything else is a genuine fault (500).
/// </summary>
internal static class BackendFaults
{
    /// <summary>The error to answer with, or null for a genuine fault.</summary>
    public static ErrorCode? Classify(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (IsFull(current))
            {
                return ErrorCode.StorageFull;
            }

            if (IsUnavailable(current))
            {
                return ErrorCode.Unavailable;
            }
        }

        return null;
    }

    /// <summary>The first message in the chain that names the cause (wrappers such as Npgsql's "exception while reading" do not).</summary>
    public static string Cause(Exception e)
    {
        var innermost = e;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        return innermost.Message;
    }

    private static bool IsFull(Exception e) =>
        e is StorageFullException
        || e is IOException io && StorageFullException.IsOutOfSpace(io)
        || e is DbException { SqlState: "53100" }; // PostgreSQL disk_full

    /// <summary>
    /// A store that cannot be reached or did not answer in time: drivers report <see cref="StorageUnavailableException"/>;
    /// database clients report transient <see cref="DbException"/>s, and PostgreSQL going down or starting up answers
    /// admin_shutdown, crash_shutdown or cannot_connect_now (57P01, 57P02, 57P03).
    /// </summary>
    private static bool IsUnavailable(Exception e) =>
        e is StorageUnavailableException or TimeoutException or SocketException
        || e is DbException { IsTransient: true }
        || e is DbException { SqlState: "57P01" or "57P02" or "57P03" }
        || (e.GetType().Name is "SqliteException" && e.Message.Contains("locked", StringComparison.OrdinalIgnoreCase));
}
