/**
 * The {@code parasol} command line (picocli): one class per subcommand, shared option groups as mixins, and the
 * JSON report writer.
 */
package dev.parasol.cli;
