package org.calsync.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test its worlds. With {@code @ExtendWith(HarnessExtension.class)} on the class, a parameter of type
 * {@link Harness} (in a constructor, a {@code @BeforeEach} method or the test method) is the test's default world,
 * the same instance wherever it is asked for within one test; a parameter of type {@link Harnesses} opens more. All
 * of them are closed after each test (even a failed one); tests do no tear-down of their own for them.
 */
public final class HarnessExtension implements ParameterResolver, AfterEachCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(HarnessExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Harness.class || type == Harnesses.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Harnesses worlds = worlds(context);
    return parameter.getParameter().getType() == Harness.class ? worlds.main() : worlds;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    worlds(context).closeAll();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    worlds(context).closeAll();
  }

  /** Kept on the class's context: a constructor parameter may be resolved there, before the test's own context. */
  private static Harnesses worlds(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) c = c.getParent().get();
    return c.getStore(NAMESPACE).getOrComputeIfAbsent(Harnesses.class, k -> new Harnesses(), Harnesses.class);
  }
}
