import sys

from tools.bpmn_layout.layout import main

sys.exit(main())
