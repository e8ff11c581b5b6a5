using System.ComponentModel.DataAnnotations;

namespace Wharf.Hosting;

/// <summary>The top of Wharf's configuration tree (file, <c>WHARF_…</c> variables, flags).</summary>
public sealed class WharfOptions
{
    /// <summary>Where to listen, <c>HOST:PORT</c>. Port 0 picks a free port.</summary>
    [Required]
    [RegularExpression(@"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):\d{1,5}$", ErrorMessage = "Listen must be HOST:PORT")]
    public string Listen { get; set; } = "127.0.0.1:5000";

    /// <summary>The data directory: blobs on the filesystem and the SQLite metadata database.</summary>
    [Required]
    public string Data { get; set; } = "./data";

    /// <summary>HTTPS: a PEM certificate (chain) and its PEM private key. Both or neither.</summary>
    public TlsOptions Tls { get; set; } = new();
}

/// <summary>The <c>Tls</c> section: serve HTTPS with this certificate and key (PEM files).</summary>
public sealed class TlsOptions
{
    public string? Certificate { get; set; }

    public string? Key { get; set; }

    public bool Enabled => Certificate is not null || Key is not null;
}
