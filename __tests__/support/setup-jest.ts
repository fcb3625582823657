// cdktf's jest matchers (toHaveResourceWithProperties and friends), at run time
// and, through this import, for the type checker too.
import { setupJest } from "cdktf/lib/testing/adapters/jest";

setupJest();
