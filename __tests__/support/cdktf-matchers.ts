// cdktf's jest matchers (toHaveResourceWithProperties and friends), at run time
// and, through this import, for the type checker too. Imported only by the
// suites that use them: as a setup file it loaded cdktf into every suite,
// pure ones included (about a quarter of a second of CPU each).
import { setupJest } from "cdktf/lib/testing/adapters/jest";

setupJest();
