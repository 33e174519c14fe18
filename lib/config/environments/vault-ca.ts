/**
 * The CA that signs the server certificate of the example organisation's Vault,
 * `https://vault.acme.internal:8200`: every TLS client we configure toward that Vault (External
 * Secrets' ClusterSecretStore, cert-manager's Vault ClusterIssuer) trusts this bundle and nothing
 * else. `.internal` names cannot get a certificate from a public CA, so without it every
 * ExternalSecret and every internal certificate would fail to verify Vault.
 *
 * EXAMPLE DATA: this is the example organisation's ("Acme", example) root, made once with
 * `openssl req -x509` (EC P-256, basicConstraints critical CA:TRUE pathlen:1, keyUsage critical
 * keyCertSign cRLSign; valid 2026-12-05 to 2036-12-02); its private key was destroyed when it was
 * made and is nowhere, so it signs nothing. A real deployment replaces it with the PEM of its own
 * Vault's issuing CA (`vault read pki/cert/ca`, or the CA file of Vault's listener), which is
 * public data. Rotation: append the new CA, render and sync, switch Vault's listener certificate,
 * then remove the old one (docs/security.md, "Trust").
 */
export const ACME_VAULT_CA_BUNDLE_PEM = `
-----BEGIN CERTIFICATE-----
MIIB+jCCAZ+gAwIBAgIUfihZXFdww71GCAR/P3HzkqMSlmgwCgYIKoZIzj0EAwIw
WTEwMC4GA1UECgwnQWNtZSBDb3Jwb3JhdGlvbiAoZXhhbXBsZSBvcmdhbmlzYXRp
b24pMSUwIwYDVQQDDBxBY21lIFZhdWx0IFJvb3QgQ0EgKGV4YW1wbGUpMB4XDTI2
MTIwNTA0MjIzNloXDTM2MTIwMjA0MjIzNlowWTEwMC4GA1UECgwnQWNtZSBDb3Jw
b3JhdGlvbiAoZXhhbXBsZSBvcmdhbmlzYXRpb24pMSUwIwYDVQQDDBxBY21lIFZh
dWx0IFJvb3QgQ0EgKGV4YW1wbGUpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
Uq4TNWTApTftvBxNFmo81mPCdSylbJpY6vQ2TLzcTCNN32gOAud6EOIHhEE5M7c4
gA1qy5gLC+r/a2X8k1+7GKNFMEMwEgYDVR0TAQH/BAgwBgEB/wIBATAOBgNVHQ8B
Af8EBAMCAQYwHQYDVR0OBBYEFGtsPxEr7SURTetZU8JlpkaJypaBMAoGCCqGSM49
BAMCA0kAMEYCIQDlTxg45R5R4Tk2jkA0XdAorZhw9msegv6jwogWVl242gIhAMjJ
JFunT1ILh/1WLHeVEf/xiSl/YhNlGDur6zArc8dy
-----END CERTIFICATE-----
`.trimStart();
