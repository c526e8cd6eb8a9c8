/**
 * Security of every gRPC channel of a Weir cluster: the control ports of the coordinator and the
 * workers, the data exchange between workers, and job submission from clients.
 *
 * <h2>Trust model</h2>
 *
 * <p>A cluster is the set of processes that hold its credentials ({@link
 * dev.weir.worker.security.ClusterCredentials}): the certificate of a cluster CA made for that
 * cluster alone, a node certificate signed by it with its private key, and a random 256-bit shared
 * secret. Holding them is what makes a process a member; a member is trusted fully (it may deploy
 * code, as the coordinator does, or submit jobs, as a client does). There are no roles: the
 * coordinator, the workers and the clients present one and the same node certificate (one file
 * set, {@code weir-security init DIR}), because any of them can already run arbitrary code on the
 * others, so separate certificates would add files without adding a boundary.
 *
 * <p>Every server requires TLS 1.2+ with a client certificate signed by the cluster CA (mutual
 * TLS; the CA is the only trust anchor, the system's CAs are not consulted), and a server
 * interceptor refuses any call whose {@code weir-cluster-secret} header is missing or wrong
 * (UNAUTHENTICATED) before a service sees the call's first message. So nothing that arrives on a
 * Weir port is decoded by a service before its sender has proved membership twice. Channels dial
 * with the authority {@value dev.weir.worker.security.ClusterCredentials#NODE_NAME}, the name in
 * every node certificate, so hostname verification checks membership of the cluster rather than an
 * address (workers listen on any address {@code --bind} gives). The secret is a second, independent check
 * that costs one header per call (a data-exchange stream pays it once): a certificate and key that
 * leak without the secret do not admit a process.
 *
 * <p>What is not covered: a member's credentials, once stolen, admit the thief until the cluster
 * gets new ones (there is no revocation list; run {@code weir-security init} again and restart
 * everything); the CA's private key is not kept, so nobody can mint further certificates; traffic
 * analysis (who talks to whom, how much) is visible to the network.
 *
 * <h2>Where the credentials come from</h2>
 *
 * <ul>
 *   <li>The embedded cluster ({@code WeirRunner} without {@code --weirMaster}) makes a fresh CA,
 *       node certificate and secret in memory ({@link
 *       dev.weir.worker.security.ClusterSecurity#embedded}; EC P-256 keys), once per JVM and
 *       shared by its embedded jobs, so its exchange ports on loopback admit nothing from outside
 *       the JVM.
 *   <li>A standalone cluster reads them from {@code --securityDir=DIR}: the coordinator's and each
 *       worker's launch argument and the submitting client's pipeline option. {@code
 *       weir-security init DIR} ({@link dev.weir.worker.security.SecurityInit}) writes {@code
 *       ca.crt}, {@code node.crt}, {@code node.key} (PKCS#8) and {@code cluster.secret}, each
 *       mode 0600 in a 0700 directory; reading a key or secret that others can read logs a warning.
 *   <li>{@code --insecure} (processes and pipeline option) turns all of it off: plaintext, no
 *       authentication, and a WARN line saying so. A standalone process refuses to start with
 *       neither option, so no cluster is insecure by omission.
 * </ul>
 *
 * <p>Every process also listens on loopback only, unless {@code --bind=ADDRESS} says otherwise.
 */
package dev.weir.worker.security;
