using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Wharf.Hosting;

/// <summary>Loads the HTTPS certificate from PEM files.</summary>
public static class TlsCertificate
{
    /// <summary>The certificate with its private key, or null when TLS is off.</summary>
    public static X509Certificate2? Load(TlsOptions tls)
    {
        if (!tls.Enabled)
        {
            return null;
        }

        if (tls.Certificate is null || tls.Key is null)
        {
            throw new OptionsValidationException("Tls", typeof(TlsOptions), ["Tls needs both Certificate and Key (--tls-cert and --tls-key)"]);
        }

        foreach (var file in new[] { tls.Certificate, tls.Key })
        {
            if (!File.Exists(file))
            {
                throw new OptionsValidationException("Tls", typeof(TlsOptions), [$"Tls file not found: {Path.GetFullPath(file)}"]);
            }
        }

        return X509Certificate2.CreateFromPemFile(tls.Certificate, tls.Key);
    }
}
