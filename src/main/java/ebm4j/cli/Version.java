package ebm4j.cli;

import picocli.CommandLine;

/** Reads the version Maven wrote into the jar manifest; "dev" when run from classes. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"ebm4j " + (v == null ? "dev" : v) + " (Java " + System.getProperty("java.version") + ")"};
    }
}
