/**
 * The Java API: use a model that {@code ebm4j train} produced from your own program. Load a
 * checkpoint with {@link ebm4j.api.TrainedModel#load(java.nio.file.Path, ebm4j.api.Device)}, then
 * classify images, score how much they look like the training data, and draw new images, on the
 * CPU or the GPU. Nothing here exposes the compute backends or the training code; the command
 * line ({@code ebm4j.cli}) and this package are two independent faces of the same library.
 *
 * <p>The CPU backend uses the JDK's Vector API, an incubator module: a program that computes on
 * the CPU must start its JVM with {@code --add-modules jdk.incubator.vector}. Without it,
 * {@link ebm4j.api.TrainedModel#load(java.nio.file.Path, ebm4j.api.Device) load} throws
 * {@link ebm4j.api.DeviceUnavailableException} saying so.
 */
package ebm4j.api;
